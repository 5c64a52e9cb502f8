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
pub mod cloudrun_json;
pub mod cloudrun_patch;
pub mod cloudrun_routes;
pub mod cloudrun_seed;
pub mod cloudrun_sim;
pub mod fault_spec;
pub mod faults;
pub mod github;
pub mod google_auth;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{any, get};
use tokio::net::TcpListener;

use clock::{Rng, SimClock};
use cloudrun_sim::CloudRunSim;
use faults::{Faults, json_response};

pub const PROJECT: &str = "clarity-sandbox";
pub const REGION: &str = "us-central1";

pub struct SandboxState {
    pub clock: SimClock,
    cloudrun: Mutex<CloudRunSim>,
    clouddeploy: Mutex<clouddeploy::sim::DeploySim>,
    faults: Mutex<Faults>,
    google_auth: Mutex<google_auth::GoogleAuth>,
    /// Requests answered (faulted or not) per `METHOD /path`, control routes excepted.
    requests: Mutex<std::collections::BTreeMap<String, u64>>,
}

impl SandboxState {
    pub fn new(speed: f64, base_uri: &str) -> SandboxState {
        let clock = SimClock::new(speed);
        SandboxState {
            cloudrun: Mutex::new(CloudRunSim::seeded(
                PROJECT,
                REGION,
                base_uri,
                &clock,
                Rng::from_time(),
            )),
            clouddeploy: Mutex::new(clouddeploy::sim::DeploySim::seeded(PROJECT, REGION)),
            faults: Mutex::new(Faults::default()),
            google_auth: Mutex::new(google_auth::GoogleAuth::default()),
            requests: Mutex::default(),
            clock,
        }
    }

    // A poisoned lock only means a handler panicked mid-update; the simulation stays usable.
    pub fn lock_cloudrun(&self) -> MutexGuard<'_, CloudRunSim> {
        self.cloudrun
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn lock_clouddeploy(&self) -> MutexGuard<'_, clouddeploy::sim::DeploySim> {
        self.clouddeploy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn lock_google_auth(&self) -> MutexGuard<'_, google_auth::GoogleAuth> {
        self.google_auth
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn count_request(&self, method: &str, path: &str) {
        let mut seen = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *seen.entry(format!("{method} {path}")).or_default() += 1;
    }

    /// Requests seen so far whose method is `method` and whose path matches `pattern` (a fault
    /// rule's pattern: `*` is any run of characters).
    pub fn requests_seen(&self, method: &str, pattern: &str) -> u64 {
        let seen = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        seen.iter()
            .filter_map(|(key, n)| {
                let (m, path) = key.split_once(' ')?;
                (m.eq_ignore_ascii_case(method) && fault_spec::glob(pattern, path)).then_some(*n)
            })
            .sum()
    }

    pub fn lock_faults(&self) -> MutexGuard<'_, Faults> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

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
    let github = github::router(github::GithubSim::new(state.clock.speed()));
    Router::new()
        .merge(cloudrun_routes::router())
        .merge(clouddeploy::router())
        .merge(google_auth::router())
        .route("/apps/{service}/{endpoint}", any(apps::probe))
        .route("/_sandbox", get(describe))
        .route("/_sandbox/faults", get(get_faults).post(set_faults))
        .route("/_sandbox/requests", get(get_requests))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            google_auth::require_auth,
        ))
        .with_state(state.clone())
        .merge(github)
        .layer(axum::middleware::from_fn_with_state(state, faults::inject))
}

/// Binds `addr` (port 0 picks a free one) and serves until the returned handle is dropped.
pub async fn start(addr: SocketAddr, speed: f64) -> std::io::Result<RunningSandbox> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(SandboxState::new(speed, &format!("http://{addr}")));
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
    let seen = state
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    json_response(StatusCode::OK, &serde_json::json!(seen))
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
