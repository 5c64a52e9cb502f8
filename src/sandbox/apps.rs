//! The sandbox services' own endpoints (seed 002): `/health`, `/readiness`, `/liveness`, answered
//! by the revision the traffic split picks, or, at a traffic tag's URL (`/apps/TAG---SERVICE/…`,
//! as Cloud Run's `https://TAG---SERVICE-….run.app`), by the tagged revision alone. Like Cloud
//! Run, nothing in the answer says which revision served it. A bad revision answers 503 the way
//! FastAPI wraps an `HTTPException(503, detail=checks)`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::json_replies::json_response;
use super::state::SandboxState;

/// The demo's flaky probe: dev's `/health` fails for [`FLAKY_SECS`] every [`FLAKY_EVERY_SECS`]
/// of simulated time, the first time [`FLAKY_FIRST_SECS`] after the start (a minute of real
/// time at the sandbox profile's speed 20), so a probe turns amber and back on its own.
pub const FLAKY_FIRST_SECS: f64 = 600.0;
pub const FLAKY_EVERY_SECS: f64 = 1500.0;
pub const FLAKY_SECS: f64 = 80.0;

pub fn flaky_at(elapsed_secs: f64) -> bool {
    let since = elapsed_secs - FLAKY_FIRST_SECS;
    since >= 0.0 && since % FLAKY_EVERY_SECS < FLAKY_SECS
}

pub async fn probe(
    State(state): State<Arc<SandboxState>>,
    Path((service, endpoint)): Path<(String, String)>,
) -> Response {
    let now = state.clock.now();
    let (tag, service) = match service.split_once("---") {
        Some((tag, service)) => (Some(tag), service),
        None => (None, service.as_str()),
    };
    let revision = {
        let mut sim = state.lock_cloudrun();
        sim.advance(now);
        sim.pick_revision(service, tag)
    };
    let Some(revision) = revision else {
        return json_response(StatusCode::NOT_FOUND, &json!({"detail": "Not Found"}));
    };
    let flaky = state.breathing
        && endpoint == "health"
        && tag.is_none()
        && service.ends_with("-dev")
        && flaky_at(state.clock.elapsed_secs());
    let healthy = revision.healthy() && !flaky;
    let version = crate::model::lane::version_of_image(&revision.image);
    let timestamp = state.clock.shown(now).timestamp();
    if revision.reports_down() && endpoint == "health" {
        let body = json!({"status": "DOWN", "components": {"db": {"status": "DOWN", "details": {"error": "connection refused"}}}});
        return json_response(StatusCode::OK, &body);
    }
    let (status, body) = match (endpoint.as_str(), healthy) {
        ("health", true) => (
            StatusCode::OK,
            health_body("healthy", &version, timestamp, true),
        ),
        ("health", false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"detail": health_body("unhealthy", &version, timestamp, false)}),
        ),
        ("readiness", true) => (
            StatusCode::OK,
            json!({"status": "ready", "timestamp": timestamp}),
        ),
        ("readiness", false) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"detail": {"status": "not_ready", "timestamp": timestamp, "reason": "database unavailable"}}),
        ),
        ("liveness", _) => (
            StatusCode::OK,
            json!({"status": "alive", "timestamp": timestamp}),
        ),
        _ => (StatusCode::NOT_FOUND, json!({"detail": "Not Found"})),
    };
    json_response(status, &body)
}

fn health_body(status: &str, version: &str, timestamp: i64, healthy: bool) -> serde_json::Value {
    let database = if healthy {
        json!({"status": "healthy", "latency_ms": 3})
    } else {
        json!({"status": "unhealthy", "error": "connection pool exhausted"})
    };
    json!({
        "status": status,
        "timestamp": timestamp,
        "version": version,
        "checks": {
            "database": database,
            "pubsub": {"status": "healthy"},
            "ml_service": {"status": "healthy"}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_probe_flakes_now_and_then_and_recovers() {
        assert!(!flaky_at(0.0) && !flaky_at(FLAKY_FIRST_SECS - 1.0));
        assert!(flaky_at(FLAKY_FIRST_SECS) && flaky_at(FLAKY_FIRST_SECS + FLAKY_SECS - 1.0));
        assert!(!flaky_at(FLAKY_FIRST_SECS + FLAKY_SECS));
        assert!(flaky_at(FLAKY_FIRST_SECS + FLAKY_EVERY_SECS + 1.0));
    }
}
