//! Route handlers of the sandbox's GitHub subset.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::json::{self as body, Ctx};
use super::{GithubSim, SimState};

type RepoPath = Path<(String, String)>;
type RunPath = Path<(String, String, u64)>;
type WorkflowPath = Path<(String, String, String)>;

/// A GitHub-shaped error (`basic-error`), small enough to travel in a `Result`.
pub(super) struct ApiErr(pub StatusCode, pub &'static str);

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        err(self.0, self.1)
    }
}

pub(super) fn err(status: StatusCode, message: &str) -> Response {
    (status, Json(body::error(message))).into_response()
}

pub(super) fn ctx(st: &SimState, headers: &HeaderMap) -> Ctx {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Ctx {
        api: format!("http://{host}"),
        owner: st.owner.clone(),
        repo: st.repo.clone(),
        workflow: st.workflow.clone(),
        workflow_id: st.workflow_id,
        wall0: st.wall0,
        speed: st.speed,
    }
}

pub(super) fn check_repo(st: &SimState, owner: &str, repo: &str) -> Result<(), ApiErr> {
    if owner == st.owner && repo == st.repo {
        Ok(())
    } else {
        Err(ApiErr(StatusCode::NOT_FOUND, "Not Found"))
    }
}

pub(super) fn find_run(st: &SimState, owner: &str, repo: &str, id: u64) -> Result<usize, ApiErr> {
    check_repo(st, owner, repo)?;
    st.runs
        .iter()
        .position(|r| r.id == id)
        .ok_or(ApiErr(StatusCode::NOT_FOUND, "Not Found"))
}

pub(super) fn parse_json(bytes: &[u8]) -> Result<Value, ApiErr> {
    serde_json::from_slice(bytes)
        .map_err(|_| ApiErr(StatusCode::BAD_REQUEST, "Problems parsing JSON"))
}

fn list(st: &SimState, q: &HashMap<String, String>, headers: &HeaderMap) -> Response {
    let per_page = q
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30usize)
        .clamp(1, 100);
    let page = q
        .get("page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1usize)
        .max(1);
    let created_min = q
        .get("created")
        .and_then(|c| c.strip_prefix(">="))
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    let (c, now) = (ctx(st, headers), st.now());
    let mut runs: Vec<Value> = st
        .runs
        .iter()
        .rev()
        .filter(|r| q.get("event").is_none_or(|e| *e == r.event))
        .filter(|r| {
            created_min.is_none_or(|m| c.ts(r.start) >= m.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        })
        .filter_map(|r| {
            let v = r.view(now);
            let status_ok = q.get("status").is_none_or(|s| {
                Some(s.as_str()) == Some(v.status) || Some(s.as_str()) == v.conclusion
            });
            status_ok.then(|| body::workflow_run(&c, r, &v))
        })
        .collect();
    let total = runs.len();
    let page_runs: Vec<Value> = runs
        .drain(..)
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Json(json!({"total_count": total, "workflow_runs": page_runs})).into_response()
}

pub async fn list_runs(
    State(sim): State<GithubSim>,
    Path((owner, repo, wf)): WorkflowPath,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let st = sim.lock();
    if let Err(r) = check_repo(&st, &owner, &repo) {
        return r.into_response();
    }
    if wf != st.workflow && wf != st.workflow_id.to_string() {
        return err(StatusCode::NOT_FOUND, "Not Found");
    }
    list(&st, &q, &headers)
}

pub async fn list_repo_runs(
    State(sim): State<GithubSim>,
    Path((owner, repo)): RepoPath,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let st = sim.lock();
    match check_repo(&st, &owner, &repo) {
        Ok(()) => list(&st, &q, &headers),
        Err(r) => r.into_response(),
    }
}

/// Renders one view of a run: `what` picks the run, its jobs or its pending deployments.
fn run_view(
    sim: &GithubSim,
    (owner, repo, id): (String, String, u64),
    headers: &HeaderMap,
    what: u8,
) -> Response {
    let st = sim.lock();
    let i = match find_run(&st, &owner, &repo, id) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let (c, run) = (ctx(&st, headers), &st.runs[i]);
    let v = run.view(st.now());
    Json(match what {
        0 => body::workflow_run(&c, run, &v),
        1 => body::jobs(&c, run, &v),
        _ => body::pending_deployments(&c, &v),
    })
    .into_response()
}

pub async fn get_run(
    State(sim): State<GithubSim>,
    Path(p): RunPath,
    headers: HeaderMap,
) -> Response {
    run_view(&sim, p, &headers, 0)
}

pub async fn list_jobs(
    State(sim): State<GithubSim>,
    Path(p): RunPath,
    headers: HeaderMap,
) -> Response {
    run_view(&sim, p, &headers, 1)
}

pub async fn get_pending(
    State(sim): State<GithubSim>,
    Path(p): RunPath,
    headers: HeaderMap,
) -> Response {
    run_view(&sim, p, &headers, 2)
}
