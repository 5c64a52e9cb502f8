//! The sandbox's GitHub Actions subset: a simulated release workflow served over the real
//! REST shapes (see `specs/github-actions-deployments.openapi.json`).
//!
//! Mount with [`router`] (paths are absolute: `/repos/…`, `/_sandbox/github/…`). Served:
//!
//! | Method + path | |
//! |---|---|
//! | `GET /repos/{o}/{r}/actions/runs`, `GET …/actions/workflows/{wf}/runs` | `?per_page`, `event`, `created=>=T` |
//! | `GET …/actions/runs/{id}`, `GET …/runs/{id}/jobs` | run and its ten jobs with steps |
//! | `GET`/`POST …/runs/{id}/pending_deployments` | the `prod` approval gate; POST approves/rejects |
//! | `POST …/actions/workflows/{wf}/dispatches` | new run for `inputs.version`: 204, or 200 with run details |
//! | `POST …/runs/{id}/cancel` | 202 `{}`; 409 once completed |
//!
//! Every GET carries an `ETag` (hash of the body) and answers `304` to a matching
//! `If-None-Match`; 304s do not count against the rate limit, like GitHub. Every response
//! carries `x-ratelimit-limit` (5000), `-remaining`, `-used`, `-reset`, `-resource: core`.
//!
//! Jobs are the seed-000 phases, lasting the midpoint of each range in simulated time
//! (simulated seconds = real seconds × speed). Timestamps are wall-clock: a simulated
//! instant `s` is shown as `start + s / speed`, so the cockpit's clock and the sandbox agree.
//!
//! Fault injection (sandbox only, not counted): `POST /_sandbox/github/faults` with any of
//! `{"rate_limit": {"count": K, "status": 429|403, "retry_after": S}, "fail_at_phase": N,
//! "approval_gate": true}`: the next K API requests answer 429 with `retry-after: S`, or 403
//! with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` S seconds ahead; the next dispatched
//! run fails at phase N (1-based; also dispatch input `fail_at_phase` or a version containing
//! `fail-at-N`); runs dispatched from then on wait in status `waiting` for a `prod` approval
//! before "Production Deployment" (also dispatch input `require_approval: "true"`).
//! `{"clear": true}` removes all faults. `GET /_sandbox/github/stats` returns request counters.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

mod commands;
mod json;
mod layer;
mod routes;
mod sim;

use sim::SimRun;

/// A sandbox-only fault plan (see the module docs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    #[serde(default)]
    pub rate_limit: Option<RateFault>,
    /// 1-based phase at which the next dispatched run fails.
    #[serde(default)]
    pub fail_at_phase: Option<usize>,
    #[serde(default)]
    pub approval_gate: bool,
    #[serde(default, skip_serializing)]
    pub clear: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateFault {
    pub count: u32,
    #[serde(default = "default_fault_status")]
    pub status: u16,
    #[serde(default = "default_retry_after")]
    pub retry_after: u64,
}

fn default_fault_status() -> u16 {
    429
}

fn default_retry_after() -> u64 {
    60
}

/// Request counters (`GET /_sandbox/github/stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GithubStats {
    /// All API requests received.
    pub requests: u64,
    /// Requests that counted against the rate limit (not 304, not refused).
    pub counted: u64,
    pub not_modified: u64,
    pub rate_limited: u64,
}

pub(crate) struct SimState {
    speed: f64,
    epoch: Instant,
    wall0: DateTime<Utc>,
    owner: String,
    repo: String,
    workflow: String,
    workflow_id: u64,
    runs: Vec<SimRun>,
    next_id: u64,
    faults: Faults,
    remaining: u64,
    reset: i64,
    stats: GithubStats,
}

pub(crate) const RATE_LIMIT: u64 = 5000;

impl SimState {
    /// Simulated seconds since the sandbox started.
    fn now(&self) -> f64 {
        self.epoch.elapsed().as_secs_f64() * self.speed
    }

    /// The wall clock as the sandbox sees it (start + real elapsed).
    fn wall_now(&self) -> DateTime<Utc> {
        let ms = i64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.wall0 + TimeDelta::milliseconds(ms)
    }

    fn add_run(&mut self, version: &str, event: &str, start: f64) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let digest = sha_hex(format!("{id}{version}").as_bytes());
        self.runs.push(SimRun {
            id,
            run_number: id - 9_000_000,
            version: version.into(),
            head_sha: digest[..40].into(),
            git_ref: "main".into(),
            event: event.into(),
            start,
            fail_at: None,
            gate: false,
            approved_at: None,
            rejected_at: None,
            cancelled_at: None,
        });
        id
    }
}

pub(crate) fn sha_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// The simulated GitHub: cheap to clone; all clones share one state.
#[derive(Clone)]
pub struct GithubSim {
    inner: Arc<Mutex<SimState>>,
}

impl GithubSim {
    /// A sandbox for `clarity/clarity-backend`, workflow `release.yml` (the sandbox profile),
    /// with one successful past run. `speed` = simulated seconds per real second (> 0).
    pub fn new(speed: f64) -> Self {
        GithubSim::with_repo(speed, "clarity", "clarity-backend", "release.yml")
    }

    pub fn with_repo(speed: f64, owner: &str, repo: &str, workflow: &str) -> Self {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        let wall0 = Utc::now();
        let mut st = SimState {
            speed,
            epoch: Instant::now(),
            wall0,
            owner: owner.into(),
            repo: repo.into(),
            workflow: workflow.into(),
            workflow_id: 161_335,
            runs: Vec::new(),
            next_id: 9_000_001,
            faults: Faults::default(),
            remaining: RATE_LIMIT,
            reset: wall0.timestamp() + 3600,
            stats: GithubStats::default(),
        };
        let total: f64 = (0..10).map(sim::duration).sum();
        st.add_run(
            "1.4.2",
            "workflow_dispatch",
            -(total + sim::QUEUE_SECS + 3600.0),
        );
        GithubSim {
            inner: Arc::new(Mutex::new(st)),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, SimState> {
        // Plain data; a panicking handler cannot leave it inconsistent in a way that matters.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn stats(&self) -> GithubStats {
        self.lock().stats
    }

    /// Applies a fault plan (as `POST /_sandbox/github/faults` does).
    pub fn set_faults(&self, f: Faults) {
        commands::apply_faults(&mut self.lock(), f);
    }
}

/// The GitHub API routes and the sandbox control endpoints, with ETag / rate-limit handling.
pub fn router(sim: GithubSim) -> Router {
    let api = "/repos/{owner}/{repo}/actions";
    Router::new()
        .route(&format!("{api}/runs"), get(routes::list_repo_runs))
        .route(
            &format!("{api}/workflows/{{workflow_id}}/runs"),
            get(routes::list_runs),
        )
        .route(
            &format!("{api}/workflows/{{workflow_id}}/dispatches"),
            post(commands::dispatch),
        )
        .route(&format!("{api}/runs/{{run_id}}"), get(routes::get_run))
        .route(
            &format!("{api}/runs/{{run_id}}/jobs"),
            get(routes::list_jobs),
        )
        .route(
            &format!("{api}/runs/{{run_id}}/pending_deployments"),
            get(routes::get_pending).post(commands::review_pending),
        )
        .route(
            &format!("{api}/runs/{{run_id}}/cancel"),
            post(commands::cancel),
        )
        .route("/_sandbox/github/faults", post(commands::faults))
        .route("/_sandbox/github/stats", get(commands::stats))
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            layer::github_http,
        ))
        .with_state(sim)
}
