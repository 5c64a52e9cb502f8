//! The embedded sandbox cloud: an HTTP server on loopback speaking the Cloud Run Admin API v2
//! subset flightdeck uses (and, in [`github`], the GitHub Actions subset; in [`clouddeploy`], Cloud Deploy v1), with services whose
//! `/health` answers as the revision the traffic split picks. Simulated time runs `speed` times faster.
//!
//! Control endpoints (sandbox only): `GET /_sandbox` (what is simulated), `GET|POST /_sandbox/faults`
//! (the fault switchboard, [`faults`], over every route), `GET /_sandbox/requests` (requests seen
//! per method and path).

pub mod apps;
pub mod clock;
pub mod clouddeploy;
pub mod clouddeploy_routes;
pub mod cloudrun_json;
pub mod cloudrun_patch;
pub mod cloudrun_routes;
pub mod cloudrun_seed;
pub mod cloudrun_sim;
pub mod fault_spec;
pub mod faults;
pub mod github;
pub mod google_auth;
pub mod google_auth_routes;
pub mod json_replies;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{any, get};
use tokio::net::TcpListener;

use faults::Faults;
use json_replies::json_response;
pub use state::{PROJECT, REGION, SandboxState};

/// A sandbox serving in the background of this process.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub state: Arc<SandboxState>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSandbox {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn router(state: Arc<SandboxState>) -> Router {
    let mut sim = github::GithubSim::new(state.clock.speed());
    if state.breathing {
        sim = sim.breathing();
    }
    let github = github::router(sim);
    Router::new()
        .merge(cloudrun_routes::router())
        .merge(clouddeploy_routes::router())
        .merge(google_auth_routes::router())
        .route("/apps/{service}/{endpoint}", any(apps::probe))
        .route("/_sandbox", get(describe))
        .route("/_sandbox/faults", get(get_faults).post(set_faults))
        .route("/_sandbox/requests", get(get_requests))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            google_auth_routes::require_auth,
        ))
        .with_state(state.clone())
        .merge(github)
        .layer(axum::middleware::from_fn_with_state(state, faults::inject))
}

/// Binds `addr` (port 0 picks a free one) and serves a still world (nothing happens unless
/// asked) until the returned handle is dropped.
pub async fn start(addr: SocketAddr, speed: f64) -> std::io::Result<RunningSandbox> {
    start_with(addr, speed, false).await
}

/// [`start`], breathing or not: the demo's sandbox starts with a build in progress and keeps
/// producing builds and the odd flaky probe.
pub async fn start_with(
    addr: SocketAddr,
    speed: f64,
    breathing: bool,
) -> std::io::Result<RunningSandbox> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let mut state = SandboxState::new(speed, &format!("http://{addr}"));
    state.breathing = breathing;
    let state = Arc::new(state);
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("sandbox server stopped: {e}");
        }
    });
    Ok(RunningSandbox { addr, state, task })
}

async fn describe(State(state): State<Arc<SandboxState>>) -> Response {
    let now = state.clock.now();
    let sim = state.lock_cloudrun();
    let services: Vec<_> = sim.services.keys().cloned().collect();
    json_response(
        StatusCode::OK,
        &serde_json::json!({
            "sandbox": "flightdeck",
            "speed": state.clock.speed(),
            "simulatedTime": cloudrun_sim::rfc3339(now),
            "shownTime": sim.shown(now),
            "project": PROJECT,
            "region": REGION,
            "services": services,
        }),
    )
}

/// `{"GET /v2/…": 3, …}`: what the sandbox was asked, for tests and benches.
async fn get_requests(State(state): State<Arc<SandboxState>>) -> Response {
    json_response(
        StatusCode::OK,
        &serde_json::json!(state.requests_by_route()),
    )
}

async fn get_faults(State(state): State<Arc<SandboxState>>) -> Response {
    let faults = state.lock_faults().clone();
    json_response(
        StatusCode::OK,
        &serde_json::to_value(faults).unwrap_or_default(),
    )
}

async fn set_faults(State(state): State<Arc<SandboxState>>, body: String) -> Response {
    match serde_json::from_str::<Faults>(&body) {
        Ok(faults) => {
            *state.lock_faults() = faults.clone();
            json_response(
                StatusCode::OK,
                &serde_json::to_value(faults).unwrap_or_default(),
            )
        }
        Err(e) => json_response(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({"error": format!("faults: {e}")}),
        ),
    }
}
