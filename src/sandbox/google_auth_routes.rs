//! The routes of the sandbox's Google authentication ([`super::google_auth`]):
//!
//! - `GET /computeMetadata/v1/instance/service-accounts/default/token` (needs `Metadata-Flavor:
//!   Google`, as the real server does) → `{"access_token","expires_in","token_type"}`;
//! - `GET|POST /_sandbox/cloudrun/auth` shows or sets the rule (`null` turns it off);
//! - [`require_auth`], the layer checking the Google APIs' `Authorization`.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::cloudrun_routes::error;
use super::cloudrun_sim::SimError;
use super::google_auth::AuthRule;
use super::json_replies::json_response;
use super::state::SandboxState;

pub fn router() -> Router<Arc<SandboxState>> {
    Router::new()
        .route(
            "/computeMetadata/v1/instance/service-accounts/default/token",
            get(metadata_token),
        )
        .route("/_sandbox/cloudrun/auth", get(get_rule).post(set_rule))
}

/// The Google APIs' `Authorization` check, when a rule is set.
pub async fn require_auth(
    State(state): State<Arc<SandboxState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    if !(path.starts_with("/v2/") || path.starts_with("/v1/")) {
        return next.run(request).await;
    }
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let checked = state.lock_google_auth().check(header, Instant::now());
    match checked {
        Ok(()) => next.run(request).await,
        Err(e) => error(e),
    }
}

async fn metadata_token(State(state): State<Arc<SandboxState>>, headers: HeaderMap) -> Response {
    let flavored = headers
        .get("metadata-flavor")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"google"));
    if !flavored {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
            "Your client does not have permission to get URL \
             /computeMetadata/v1/instance/service-accounts/default/token from this server. \
             Missing Metadata-Flavor:Google header.",
        )
            .into_response();
    }
    let (token, ttl) = state.lock_google_auth().mint(Instant::now());
    let mut response = json_response(
        StatusCode::OK,
        &json!({"access_token": token, "expires_in": ttl, "token_type": "Bearer"}),
    );
    response.headers_mut().insert(
        "metadata-flavor",
        header::HeaderValue::from_static("Google"),
    );
    response
}

async fn get_rule(State(state): State<Arc<SandboxState>>) -> Response {
    let rule = state.lock_google_auth().rule.clone();
    json_response(
        StatusCode::OK,
        &serde_json::to_value(rule).unwrap_or_default(),
    )
}

async fn set_rule(State(state): State<Arc<SandboxState>>, body: String) -> Response {
    match serde_json::from_str::<Option<AuthRule>>(&body) {
        Ok(rule) => {
            state.lock_google_auth().rule = rule.clone();
            json_response(
                StatusCode::OK,
                &serde_json::to_value(rule).unwrap_or_default(),
            )
        }
        Err(e) => error(SimError::new(
            400,
            "INVALID_ARGUMENT",
            format!("auth rule: {e}"),
        )),
    }
}
