//! The fault switchboard: what a real outage looks like, on any sandbox route (Cloud Run, Cloud
//! Deploy, GitHub, the services' health endpoints), chosen per path pattern.
//!
//! Set with `POST /_sandbox/faults` (JSON body of [`Faults`]; `{}` clears everything), read with
//! `GET /_sandbox/faults`, or start the sandbox with `flightdeck sandbox --fault SPEC` (see
//! [`FaultRule::parse`]). Control routes (`/_sandbox/…`) are never faulted.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::clock::Rng;
pub use super::fault_spec::{ErrorBody, Fault, FaultRule, Faults};
use super::json_replies::{google_error, json_response};
use super::state::SandboxState;

/// Applies the configured faults: rules to every route, the legacy knobs to the Google API routes
/// (Cloud Run `/v2/…`, Cloud Deploy `/v1/…`).
pub async fn inject(
    State(state): State<Arc<SandboxState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with("/_sandbox") {
        return next.run(request).await;
    }
    state.count_request(request.method().as_str(), &path);
    let matched = state
        .lock_faults()
        .take_match(request.method().as_str(), &path);
    if let Some(fault) = matched {
        return apply(fault, &path, request, next).await;
    }
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
        return throttled(&path, retry_after, false);
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

async fn apply(fault: Fault, path: &str, request: Request, next: Next) -> Response {
    match fault {
        Fault::Latency { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Fault::Error { status, body } => error_response(status, body, path),
        Fault::Throttle {
            retry_after_secs,
            retry_info,
        } => throttled(path, retry_after_secs.max(1), retry_info),
        Fault::Stall => std::future::pending().await,
        Fault::Reset => {
            // The head may or may not have left; the connection is dropped mid-answer.
            let cut = futures::stream::once(async {
                Err::<Bytes, _>(std::io::Error::from(std::io::ErrorKind::ConnectionReset))
            });
            Response::new(Body::from_stream(cut))
        }
        Fault::Truncated | Fault::Malformed | Fault::Drip { .. } => {
            let (mut parts, body) = next.run(request).await.into_parts();
            let Ok(bytes) = to_bytes(body, 64 * 1024 * 1024).await else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let half = bytes.slice(..bytes.len() / 2);
            parts.headers.remove(header::CONTENT_LENGTH);
            let body = match fault {
                // Announces the full length, sends half, then drops the connection.
                Fault::Truncated => {
                    if let Ok(v) = HeaderValue::from_str(&bytes.len().to_string()) {
                        parts.headers.insert(header::CONTENT_LENGTH, v);
                    }
                    let chunks: Vec<Result<Bytes, std::io::Error>> =
                        vec![Ok(half), Err(std::io::ErrorKind::ConnectionReset.into())];
                    Body::from_stream(futures::stream::iter(chunks))
                }
                // A complete answer whose JSON stops halfway.
                Fault::Malformed => Body::from(half),
                Fault::Drip { bytes_per_sec } => drip(bytes, bytes_per_sec),
                _ => Body::from(bytes),
            };
            Response::from_parts(parts, body)
        }
        Fault::BadRevision if path.starts_with("/apps/") => {
            let detail = serde_json::json!({"detail": {
                "status": "unhealthy",
                "checks": {"database": {"status": "fail", "output": "connection refused (sandbox fault)"}},
            }});
            json_response(StatusCode::SERVICE_UNAVAILABLE, &detail)
        }
        Fault::BadRevision => next.run(request).await,
    }
}

/// The body, a tenth of `bytes_per_sec` every 100 ms.
fn drip(bytes: Bytes, bytes_per_sec: u64) -> Body {
    let step = usize::try_from(bytes_per_sec / 10).unwrap_or(1).max(1);
    let stream = futures::stream::unfold(bytes, move |rest| async move {
        if rest.is_empty() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut rest = rest;
        let chunk = rest.split_to(step.min(rest.len()));
        Some((Ok::<Bytes, std::io::Error>(chunk), rest))
    });
    Body::from_stream(stream)
}

fn is_github(path: &str) -> bool {
    path.starts_with("/repos/") || path.starts_with("/rate_limit") || path.starts_with("/user")
}

fn throttled(path: &str, retry_after: u64, retry_info: bool) -> Response {
    if is_github(path) {
        let msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
        let mut response = github_error(429, msg);
        set_header(&mut response, header::RETRY_AFTER, &retry_after.to_string());
        return response;
    }
    if retry_info {
        // Google's way: the delay in a `google.rpc.RetryInfo` detail, no header.
        let body = serde_json::json!({"error": {
            "code": 429, "status": "RESOURCE_EXHAUSTED",
            "message": "Quota exceeded (sandbox fault)",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{retry_after}s")}],
        }});
        return json_response(StatusCode::TOO_MANY_REQUESTS, &body);
    }
    let mut response = google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded (sandbox fault)");
    set_header(&mut response, header::RETRY_AFTER, &retry_after.to_string());
    response
}

fn error_response(status: u16, body: ErrorBody, path: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let reason = code.canonical_reason().unwrap_or("Error");
    let body = match body {
        ErrorBody::Auto if is_github(path) => ErrorBody::Github,
        ErrorBody::Auto => ErrorBody::Google,
        other => other,
    };
    match body {
        ErrorBody::Github => github_error(status, reason),
        ErrorBody::Html => {
            let page = format!(
                "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            );
            let mut response = (code, page).into_response();
            set_header(&mut response, header::CONTENT_TYPE, "text/html");
            response
        }
        _ => google_error(
            status,
            google_status(status),
            &format!("{reason} (sandbox fault)"),
        ),
    }
}

/// The `google.rpc.Code` name Google's APIs pair with an HTTP status.
fn google_status(http: u16) -> &'static str {
    match http {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    }
}

fn github_error(status: u16, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let body = serde_json::json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.to_string(),
    });
    json_response(code, &body)
}

fn set_header(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}
