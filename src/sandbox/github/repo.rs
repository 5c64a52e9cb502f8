//! The repository around the simulated workflow: `GET /repos/{o}/{r}`, the workflow endpoints,
//! the workflow file through the contents API, and check-run annotations (which `gh run watch`
//! reads). Shapes follow GitHub's `full-repository`, `workflow` and `content-file` schemas.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::json::{self as body, Ctx};
use super::routes::{check_repo, ctx, err, paged};
use super::state::{GithubSim, SimState, sha_hex};

/// The release workflow's file, as the repository holds it: what `workflow_dispatch` accepts.
pub const WORKFLOW_YAML: &str = "name: Release
on:
  workflow_dispatch:
    inputs:
      version:
        description: Version to build and release
        required: true
        type: string
      environment:
        description: Environment the release is meant for
        required: false
        type: string
      fail_at_phase:
        description: Sandbox only - the 1-based phase that fails
        required: false
        type: string
      require_approval:
        description: Sandbox only - wait for a prod approval
        required: false
        type: string
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - run: ./release.sh \"${{ inputs.version }}\"
";

/// The inputs [`WORKFLOW_YAML`] declares, and whether each is required.
pub const DECLARED_INPUTS: [(&str, bool); 4] = [
    ("version", true),
    ("environment", false),
    ("fail_at_phase", false),
    ("require_approval", false),
];

/// Created / updated instants of the repository and the workflow (fixed, like a real history).
const CREATED: &str = "2024-03-11T09:12:44Z";
const UPDATED: &str = "2026-10-02T15:40:07Z";

type RepoPath = Path<(String, String)>;

fn workflow(c: &Ctx) -> Value {
    let path = format!(".github/workflows/{}", c.workflow);
    let html = format!("{}/{}/{}", c.api, c.owner, c.repo);
    json!({
        "id": c.workflow_id, "node_id": format!("W_{}", c.workflow_id), "name": "Release",
        "path": path, "state": "active", "created_at": CREATED, "updated_at": UPDATED,
        "url": format!("{}/repos/{}/{}/actions/workflows/{}", c.api, c.owner, c.repo, c.workflow_id),
        "html_url": format!("{html}/blob/main/{path}"),
        "badge_url": format!("{html}/workflows/Release/badge.svg"),
    })
}

fn full_repository(c: &Ctx) -> Value {
    let mut repo = body::minimal_repository(c);
    let api = format!("{}/repos/{}/{}", c.api, c.owner, c.repo);
    let extra = json!({
        "git_url": format!("git://{}/{}/{}.git", c.api.trim_start_matches("http://"), c.owner, c.repo),
        "ssh_url": format!("git@sandbox:{}/{}.git", c.owner, c.repo),
        "clone_url": format!("{}/{}/{}.git", c.api, c.owner, c.repo),
        "svn_url": format!("{}/{}/{}", c.api, c.owner, c.repo),
        "mirror_url": null, "homepage": null, "language": "Python", "forks_count": 0,
        "stargazers_count": 3, "watchers_count": 3, "size": 10_240, "default_branch": "main",
        "open_issues_count": 2, "is_template": false, "topics": ["release"], "has_issues": true,
        "has_projects": false, "has_wiki": false, "has_pages": false, "has_downloads": true,
        "has_discussions": false, "archived": false, "disabled": false, "visibility": "public",
        "pushed_at": UPDATED, "created_at": CREATED, "updated_at": UPDATED,
        "permissions": {"admin": false, "maintain": false, "push": true, "triage": true, "pull": true},
        "allow_forking": true, "web_commit_signoff_required": false, "subscribers_count": 4,
        "network_count": 0, "forks": 0, "open_issues": 2, "watchers": 3,
        "temp_clone_token": null, "license": null,
        "branches_url": format!("{api}/branches{{/branch}}"),
    });
    if let (Some(r), Value::Object(e)) = (repo.as_object_mut(), extra) {
        r.extend(e);
        r.insert("private".into(), Value::Bool(false));
    }
    repo
}

fn with_repo(
    sim: &GithubSim,
    (o, r): (String, String),
    f: impl FnOnce(&SimState) -> Response,
) -> Response {
    let st = sim.lock();
    match check_repo(&st, &o, &r) {
        Ok(()) => f(&st),
        Err(e) => e.into_response(),
    }
}

pub async fn get_repository(
    State(sim): State<GithubSim>,
    Path(p): RepoPath,
    headers: HeaderMap,
) -> Response {
    with_repo(&sim, p, |st| {
        Json(full_repository(&ctx(st, &headers))).into_response()
    })
}

pub async fn list_workflows(
    State(sim): State<GithubSim>,
    Path(p): RepoPath,
    Query(q): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    with_repo(&sim, p, |st| {
        let c = ctx(st, &headers);
        let (page, link) = paged(&c, &uri, &q, vec![workflow(&c)]);
        let mut resp = Json(json!({"total_count": 1, "workflows": page})).into_response();
        if let Some(link) = link {
            resp.headers_mut().insert("link", link);
        }
        resp
    })
}

pub async fn get_workflow(
    State(sim): State<GithubSim>,
    Path((o, r, wf)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    with_repo(&sim, (o, r), |st| {
        if wf != st.workflow && wf != st.workflow_id.to_string() {
            return err(StatusCode::NOT_FOUND, "Not Found");
        }
        Json(workflow(&ctx(st, &headers))).into_response()
    })
}

/// `GET /repos/{o}/{r}/contents/{path}`: the workflow file only (base64, as GitHub sends it).
pub async fn get_contents(
    State(sim): State<GithubSim>,
    Path((o, r, path)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    with_repo(&sim, (o, r), |st| {
        let c = ctx(st, &headers);
        if path != format!(".github/workflows/{}", c.workflow) {
            return err(StatusCode::NOT_FOUND, "Not Found");
        }
        let sha = sha_hex(WORKFLOW_YAML.as_bytes())[..40].to_string();
        let api = format!(
            "{}/repos/{}/{}/contents/{path}?ref=main",
            c.api, c.owner, c.repo
        );
        let html = format!("{}/{}/{}/blob/main/{path}", c.api, c.owner, c.repo);
        let git = format!("{}/repos/{}/{}/git/blobs/{sha}", c.api, c.owner, c.repo);
        let name = path.rsplit('/').next().unwrap_or(&path).to_string();
        Json(json!({
            "type": "file", "encoding": "base64", "size": WORKFLOW_YAML.len(), "name": name,
            "path": path, "content": base64_lines(WORKFLOW_YAML.as_bytes()), "sha": sha,
            "url": api, "git_url": git, "html_url": html, "download_url": null,
            "_links": {"self": api, "git": git, "html": html},
        }))
        .into_response()
    })
}

/// `GET /repos/{o}/{r}/check-runs/{id}/annotations`: a job's check run has the job's id
/// (`run id × 100 + job number`); an id no job has is a 404, as on GitHub.
pub async fn get_annotations(
    State(sim): State<GithubSim>,
    Path((o, r, id)): Path<(String, String, u64)>,
    headers: HeaderMap,
) -> Response {
    with_repo(&sim, (o, r), |st| {
        let (run_id, number) = (id / 100, (id % 100) as usize);
        let found = st.runs.iter().find(|run| run.id == run_id).and_then(|run| {
            let view = run.view(st.now());
            let job = view.jobs.into_iter().find(|j| j.index + 1 == number)?;
            Some(body::annotations(&ctx(st, &headers), run, &job))
        });
        match found {
            Some(list) => Json(list).into_response(),
            None => err(StatusCode::NOT_FOUND, "Not Found"),
        }
    })
}

/// Base64 with a newline every 60 characters, as the contents API sends file content.
fn base64_lines(bytes: &[u8]) -> String {
    use base64::Engine;
    let flat = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut wrapped = String::with_capacity(flat.len() + flat.len() / 60 + 1);
    for (i, c) in flat.chars().enumerate() {
        if i > 0 && i % 60 == 0 {
            wrapped.push('\n');
        }
        wrapped.push(c);
    }
    wrapped.push('\n');
    wrapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_base64_lines_wraps_at_60() {
        assert_eq!(base64_lines(b"Man"), "TWFu\n");
        let long = base64_lines(&[0u8; 60]);
        assert_eq!(long.lines().map(str::len).collect::<Vec<_>>(), vec![60, 20]);
    }
}
