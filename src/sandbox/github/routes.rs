//! Route handlers of the sandbox's GitHub subset.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::json::{self as body, Ctx};
use super::state::{GithubSim, SimState};

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
    (status, Json(body::error(message, status.as_u16()))).into_response()
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
        gate_env: st.gate_env().to_string(),
        can_approve: !st.faults.not_reviewer,
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

/// One page of `items` (`per_page` default 30, at most 100; `page` from 1) and, when there is
/// more than one page, GitHub's `Link` header (`next`, `last`, `first`, `prev`).
pub(super) fn paged(
    c: &Ctx,
    uri: &Uri,
    q: &HashMap<String, String>,
    items: Vec<Value>,
) -> (Vec<Value>, Option<HeaderValue>) {
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
    let pages = items.len().div_ceil(per_page).max(1);
    let url = |n: usize| {
        let mut query: Vec<String> = uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("page=") && !kv.starts_with("per_page="))
            .map(String::from)
            .collect();
        query.push(format!("per_page={per_page}"));
        query.push(format!("page={n}"));
        format!("<{}{}?{}>", c.api, uri.path(), query.join("&"))
    };
    let mut rels = Vec::new();
    if page > 1 {
        rels.push(format!("{}; rel=\"prev\"", url(page - 1)));
    }
    if page < pages {
        rels.push(format!("{}; rel=\"next\"", url(page + 1)));
        rels.push(format!("{}; rel=\"last\"", url(pages)));
    }
    if page > 1 {
        rels.push(format!("{}; rel=\"first\"", url(1)));
    }
    let link = (!rels.is_empty())
        .then(|| HeaderValue::from_str(&rels.join(", ")).ok())
        .flatten();
    let page_items = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    (page_items, link)
}

fn with_link(value: Value, link: Option<HeaderValue>) -> Response {
    let mut resp = Json(value).into_response();
    if let Some(link) = link {
        resp.headers_mut().insert(header::LINK, link);
    }
    resp
}

fn list(st: &SimState, q: &HashMap<String, String>, headers: &HeaderMap, uri: &Uri) -> Response {
    let created = q.get("created").map(String::as_str).unwrap_or("");
    let (created_op, created_at) = [">=", ">", ""]
        .into_iter()
        .find_map(|op| created.strip_prefix(op).map(|t| (op, t)))
        .unwrap_or(("", ""));
    let created_min = DateTime::parse_from_rfc3339(created_at).ok().map(|t| {
        t.with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    });
    let (c, now) = (ctx(st, headers), st.now());
    let runs: Vec<Value> = st
        .runs
        .iter()
        .rev()
        .filter(|r| r.listed_from <= now)
        .filter(|r| q.get("event").is_none_or(|e| *e == r.event))
        .filter(|r| {
            created_min.as_ref().is_none_or(|m| match created_op {
                ">" => c.ts(r.start) > *m,
                ">=" => c.ts(r.start) >= *m,
                _ => c.ts(r.start) == *m,
            })
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
    let (page, link) = paged(&c, uri, q, runs);
    with_link(json!({"total_count": total, "workflow_runs": page}), link)
}

pub async fn list_runs(
    State(sim): State<GithubSim>,
    Path((owner, repo, wf)): WorkflowPath,
    Query(q): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let st = sim.lock();
    if let Err(r) = check_repo(&st, &owner, &repo) {
        return r.into_response();
    }
    if wf != st.workflow && wf != st.workflow_id.to_string() {
        return err(StatusCode::NOT_FOUND, "Not Found");
    }
    list(&st, &q, &headers, &uri)
}

pub async fn list_repo_runs(
    State(sim): State<GithubSim>,
    Path((owner, repo)): RepoPath,
    Query(q): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let st = sim.lock();
    match check_repo(&st, &owner, &repo) {
        Ok(()) => list(&st, &q, &headers, &uri),
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
    Path((owner, repo, id)): RunPath,
    Query(q): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let st = sim.lock();
    let i = match find_run(&st, &owner, &repo, id) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let (c, run) = (ctx(&st, &headers), &st.runs[i]);
    let jobs = body::jobs(&c, run, &run.view(st.now()));
    let total = jobs.len();
    let (page, link) = paged(&c, &uri, &q, jobs);
    with_link(json!({"total_count": total, "jobs": page}), link)
}

pub async fn get_pending(
    State(sim): State<GithubSim>,
    Path(p): RunPath,
    headers: HeaderMap,
) -> Response {
    run_view(&sim, p, &headers, 2)
}
