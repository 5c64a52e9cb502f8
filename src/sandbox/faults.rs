//! Fault injection for the simulated APIs: slow answers, 5xx, and 429 with Retry-After.
//! Set with `POST /_sandbox/faults` (JSON body of [`Faults`]); read with `GET /_sandbox/faults`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::SandboxState;
use super::clock::Rng;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Real milliseconds added to every API answer.
    pub slow_ms: u64,
    /// Percent of API requests answered 503 UNAVAILABLE.
    pub error_rate_pct: u8,
    /// The next N API requests are answered 429 RESOURCE_EXHAUSTED with Retry-After.
    pub throttle_next: u32,
    pub retry_after_secs: u64,
}

/// Applies the configured faults to Google API requests (Cloud Run `/v2/…`, Cloud Deploy `/v1/…`).
pub async fn inject(
    State(state): State<Arc<SandboxState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/v2/") && !path.starts_with("/v1/") {
        return next.run(request).await;
    }
    let (slow, fail, throttle, retry_after) = {
        let mut faults = state.lock_faults();
        let throttle = faults.throttle_next > 0;
        if throttle {
            faults.throttle_next -= 1;
        }
        let roll = Rng::from_time().below(100) as u8;
        (
            faults.slow_ms,
            roll < faults.error_rate_pct,
            throttle,
            faults.retry_after_secs.max(1),
        )
    };
    if slow > 0 {
        tokio::time::sleep(Duration::from_millis(slow)).await;
    }
    if throttle {
        let mut response =
            google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded (sandbox fault)");
        if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    if fail {
        return google_error(
            503,
            "UNAVAILABLE",
            "The service is currently unavailable (sandbox fault)",
        );
    }
    next.run(request).await
}

pub fn google_error(http: u16, status: &str, message: &str) -> Response {
    let code = StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::json!({"error": {"code": http, "message": message, "status": status}});
    let mut response = (code, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
