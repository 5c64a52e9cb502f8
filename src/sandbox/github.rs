//! The sandbox's GitHub Actions subset: a simulated release workflow served over the real
//! REST shapes (see `specs/github-actions-deployments.openapi.json`).
//!
//! Mount with [`router`] (paths are absolute: `/repos/…`, `/_sandbox/github/…`). Served:
//!
//! | Method + path | |
//! |---|---|
//! | `GET /repos/{o}/{r}`, `GET …/actions/workflows`, `GET …/actions/workflows/{wf}` | repository and the `release.yml` workflow |
//! | `GET …/contents/.github/workflows/{wf}` | the workflow file (base64): the inputs `workflow_dispatch` accepts |
//! | `GET …/check-runs/{id}/annotations` | a failed job's annotations, else `[]` (read by `gh run watch`) |
//! | `GET /repos/{o}/{r}/actions/runs`, `GET …/actions/workflows/{wf}/runs` | `?per_page`, `event`, `created=>=T` |
//! | `GET …/actions/runs/{id}`, `GET …/runs/{id}/jobs` | run and its ten jobs with steps |
//! | `GET`/`POST …/runs/{id}/pending_deployments` | the `prod` approval gate; POST approves/rejects |
//! | `POST …/actions/workflows/{wf}/dispatches` | new run for `inputs.version`: 204, or 200 with run details |
//! | `POST …/runs/{id}/cancel` | 202 `{}`; 409 once completed |
//!
//! Every GET carries a weak `ETag` (`W/"…"`, hash of the body) and answers `304` to a matching
//! `If-None-Match`; 304s do not count against the rate limit, like GitHub. Lists page with
//! `per_page` (≤ 100) / `page` and a `Link` header. Reads need no token (the repository is
//! public); a mutation without `Authorization` answers 401 "Requires authentication", an empty
//! token 401 "Bad credentials", with GitHub's bodies. A dispatch with an input the workflow
//! does not declare answers GitHub's 422 (`Unexpected inputs provided: ["x"]`), and the new run
//! shows in run lists only `list_delay_secs` (default 3) real seconds later. Every response
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
//! `{"dispatch_status": 502}` makes the next dispatch create its run yet answer 502 (a lost
//! answer); `{"no_run_details": true}` makes dispatches answer 204 even when asked for details.
//! `{"jobs": N, "job_secs": S}` shapes the runs dispatched from then on (N jobs of S simulated
//! seconds); `{"list_delay_secs": D}` sets how long (real seconds, default 3) a dispatched run
//! stays out of run lists, as on GitHub. `{"approval_environment": "production"}` names the
//! environment runs wait on (default `prod`); `{"not_reviewer": true}` makes
//! `current_user_can_approve` false and a review from that user answer 422 as GitHub does; `{"review_status": 502}` applies the next review yet answers
//! 502. `{"clear": true}` removes all faults. `GET /_sandbox/github/stats` returns request
//! counters, `GET /_sandbox/github/reviews` every review received (run, environment ids, state,
//! comment), in order.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

mod breathe;
mod commands;
mod json;
mod layer;
mod repo;
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
    /// Runs dispatched from then on have this many jobs (a matrix past 100 exercises paging).
    #[serde(default)]
    pub jobs: Option<usize>,
    /// Runs dispatched from then on: every job lasts this many simulated seconds.
    #[serde(default)]
    pub job_secs: Option<f64>,
    /// The next dispatch creates its run but answers this status (e.g. 502: the answer is lost).
    #[serde(default)]
    pub dispatch_status: Option<u16>,
    /// Dispatches answer 204 without run details (as servers before `return_run_details` do).
    #[serde(default)]
    pub no_run_details: bool,
    /// Real seconds before a dispatched run shows in run lists (default 3).
    #[serde(default)]
    pub list_delay_secs: Option<f64>,
    /// The name of the environment runs wait on (default `prod`), e.g. `production`.
    #[serde(default)]
    pub approval_environment: Option<String>,
    /// The token's user is not a required reviewer: `current_user_can_approve` is false.
    #[serde(default)]
    pub not_reviewer: bool,
    /// The next review is applied but answered with this status (e.g. 502: the answer is lost).
    #[serde(default)]
    pub review_status: Option<u16>,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GithubStats {
    /// All API requests received.
    pub requests: u64,
    /// Requests that counted against the rate limit (not 304, not refused).
    pub counted: u64,
    pub not_modified: u64,
    pub rate_limited: u64,
    /// Counted requests per client: the `User-Agent` without its version (`flightdeck`,
    /// `GitHub CLI`, `PyGithub`…), so that clients watching side by side can be compared.
    #[serde(default)]
    pub counted_by_client: std::collections::BTreeMap<String, u64>,
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
    /// Real seconds a dispatched run stays out of run lists.
    list_delay: f64,
    remaining: u64,
    reset: i64,
    stats: GithubStats,
    /// The demo's next build, when this sandbox breathes (see `breathe`).
    breath: Option<breathe::Breath>,
    reviews: Vec<Review>,
}

/// One `POST …/pending_deployments` as received (`GET /_sandbox/github/reviews`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub run_id: u64,
    pub environment_ids: Vec<u64>,
    pub state: String,
    pub comment: String,
}

impl SimState {
    /// The environment runs wait on.
    fn gate_env(&self) -> &str {
        self.faults
            .approval_environment
            .as_deref()
            .unwrap_or("prod")
    }
}

pub(crate) const RATE_LIMIT: u64 = 5000;
/// Real seconds between a dispatch and its run showing in run lists, by default.
pub(crate) const LIST_DELAY_SECS: f64 = 3.0;

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
            job_count: self.faults.jobs.unwrap_or(10).clamp(1, 1000),
            job_secs: self.faults.job_secs.filter(|s| s.is_finite() && *s > 0.0),
            listed_from: start,
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
            list_delay: LIST_DELAY_SECS,
            remaining: RATE_LIMIT,
            reset: wall0.timestamp() + 3600,
            stats: GithubStats::default(),
            breath: None,
            reviews: Vec::new(),
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

    /// The demo's sandbox: a build in progress from the start, and a new one after each ends.
    pub fn breathing(self) -> Self {
        self.lock().start_breathing();
        self
    }

    /// The state, with the demo's builds due by now added (when breathing).
    pub(crate) fn lock(&self) -> MutexGuard<'_, SimState> {
        // Plain data; a panicking handler cannot leave it inconsistent in a way that matters.
        let mut st = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        st.breathe();
        st
    }

    pub fn stats(&self) -> GithubStats {
        self.lock().stats.clone()
    }

    /// Every review received, in order.
    pub fn reviews(&self) -> Vec<Review> {
        self.lock().reviews.clone()
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
        .route("/repos/{owner}/{repo}", get(repo::get_repository))
        .route(&format!("{api}/workflows"), get(repo::list_workflows))
        .route(
            &format!("{api}/workflows/{{workflow_id}}"),
            get(repo::get_workflow),
        )
        .route(
            "/repos/{owner}/{repo}/contents/{*path}",
            get(repo::get_contents),
        )
        .route(
            "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
            get(repo::get_annotations),
        )
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
        .route("/_sandbox/github/reviews", get(commands::reviews))
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            layer::github_http,
        ))
        .with_state(sim)
}
