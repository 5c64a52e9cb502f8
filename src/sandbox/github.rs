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

use axum::Router;
use axum::routing::{get, post};

mod breathe;
mod commands;
mod fault_plan;
mod json;
mod layer;
mod repo;
mod routes;
mod sim;
mod state;

pub use fault_plan::{Faults, RateFault};
pub use state::{GithubSim, GithubStats, Review};

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
