//! Response bodies shaped field-for-field as the OpenAPI schemas (`workflow-run`, `job`,
//! `pending-deployment`, `deployment`, `simple-user`, `minimal-repository`, `team`).

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use super::sim::{GATED_JOB, PROD_ENV_ID, RunView, SimRun, job_name};

/// What renderers need: addresses, the repository, and the simulated → wall clock mapping.
pub struct Ctx {
    /// `http://HOST` as the client addressed us.
    pub api: String,
    pub owner: String,
    pub repo: String,
    pub workflow: String,
    pub workflow_id: u64,
    pub wall0: DateTime<Utc>,
    pub speed: f64,
    /// The environment runs wait on, and whether the token's user may approve it.
    pub gate_env: String,
    pub can_approve: bool,
}

impl Ctx {
    /// A simulated instant as a GitHub timestamp (wall clock: simulated seconds / speed).
    pub fn ts(&self, sim: f64) -> String {
        let ms = (sim / self.speed * 1000.0).round() as i64;
        (self.wall0 + TimeDelta::milliseconds(ms))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    fn repo_api(&self) -> String {
        format!("{}/repos/{}/{}", self.api, self.owner, self.repo)
    }

    fn html(&self) -> String {
        format!("{}/{}/{}", self.api, self.owner, self.repo)
    }

    pub fn run_api(&self, id: u64) -> String {
        format!("{}/actions/runs/{id}", self.repo_api())
    }

    pub fn run_html(&self, id: u64) -> String {
        format!("{}/actions/runs/{id}", self.html())
    }
}

/// A `basic-error` body as GitHub sends it today (with `status` as a string).
pub fn error(message: &str, status: u16) -> Value {
    json!({"message": message, "documentation_url": "https://docs.github.com/rest", "status": status.to_string()})
}

/// An error whose `documentation_url` points at the operation's page, as GitHub's do.
pub fn error_at(message: &str, status: u16, docs: &str) -> Value {
    json!({"message": message, "documentation_url": docs, "status": status.to_string()})
}

pub fn simple_user(ctx: &Ctx, login: &str, id: u64) -> Value {
    let u = format!("{}/users/{login}", ctx.api);
    json!({
        "login": login, "id": id, "node_id": format!("U_{id}"), "name": null, "email": null,
        "avatar_url": format!("{}/avatars/{login}", ctx.api), "gravatar_id": "",
        "url": u, "html_url": format!("{}/{login}", ctx.api),
        "followers_url": format!("{u}/followers"), "following_url": format!("{u}/following{{/other_user}}"),
        "gists_url": format!("{u}/gists{{/gist_id}}"), "starred_url": format!("{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{u}/subscriptions"), "organizations_url": format!("{u}/orgs"),
        "repos_url": format!("{u}/repos"), "events_url": format!("{u}/events{{/privacy}}"),
        "received_events_url": format!("{u}/received_events"), "type": "User", "site_admin": false,
    })
}

pub fn team(ctx: &Ctx, slug: &str, id: u64) -> Value {
    let u = format!("{}/orgs/{}/teams/{slug}", ctx.api, ctx.owner);
    json!({
        "id": id, "node_id": format!("T_{id}"), "url": u, "members_url": format!("{u}/members{{/member}}"),
        "name": slug, "slug": slug, "description": "Approves production deployments",
        "privacy": "closed", "notification_setting": "notifications_enabled", "permission": "pull",
        "html_url": format!("{}/orgs/{}/teams/{slug}", ctx.api, ctx.owner),
        "repositories_url": format!("{u}/repos"), "parent": null, "type": "organization",
    })
}

pub fn minimal_repository(ctx: &Ctx) -> Value {
    let r = ctx.repo_api();
    let mut m = Map::new();
    for key in [
        "archive",
        "assignees",
        "blobs",
        "branches",
        "collaborators",
        "comments",
        "commits",
        "compare",
        "contents",
        "contributors",
        "deployments",
        "downloads",
        "events",
        "forks",
        "git_commits",
        "git_refs",
        "git_tags",
        "hooks",
        "issue_comment",
        "issue_events",
        "issues",
        "keys",
        "labels",
        "languages",
        "merges",
        "milestones",
        "notifications",
        "pulls",
        "releases",
        "stargazers",
        "statuses",
        "subscribers",
        "subscription",
        "tags",
        "teams",
        "trees",
    ] {
        m.insert(format!("{key}_url"), Value::String(format!("{r}/{key}")));
    }
    let rest = json!({
        "id": 4242, "node_id": "R_4242", "name": ctx.repo, "full_name": format!("{}/{}", ctx.owner, ctx.repo),
        "owner": simple_user(ctx, &ctx.owner, 1), "private": true, "html_url": ctx.html(),
        "description": "flightdeck sandbox repository", "fork": false, "url": r,
    });
    if let Value::Object(o) = rest {
        m.extend(o);
    }
    Value::Object(m)
}

pub fn workflow_run(ctx: &Ctx, run: &SimRun, v: &RunView) -> Value {
    let api = ctx.run_api(run.id);
    let started = v.jobs.first().and_then(|j| j.started).unwrap_or(run.start);
    json!({
        "id": run.id, "name": "Release", "node_id": format!("WFR_{}", run.id),
        "check_suite_id": run.id + 1, "check_suite_node_id": format!("CS_{}", run.id + 1),
        "head_branch": run.git_ref, "head_sha": run.head_sha,
        "path": format!(".github/workflows/{}", ctx.workflow), "display_title": format!("Release {}", run.version),
        "run_number": run.run_number, "run_attempt": 1, "referenced_workflows": [], "event": run.event,
        "status": v.status, "conclusion": v.conclusion, "workflow_id": ctx.workflow_id,
        "url": api, "html_url": ctx.run_html(run.id), "pull_requests": [],
        "created_at": ctx.ts(run.start), "updated_at": ctx.ts(v.updated), "run_started_at": ctx.ts(started),
        "actor": simple_user(ctx, "release-bot", 7), "triggering_actor": simple_user(ctx, "release-bot", 7),
        "jobs_url": format!("{api}/jobs"), "logs_url": format!("{api}/logs"),
        "check_suite_url": format!("{}/check-suites/{}", ctx.repo_api(), run.id + 1),
        "artifacts_url": format!("{api}/artifacts"), "cancel_url": format!("{api}/cancel"),
        "rerun_url": format!("{api}/rerun"), "previous_attempt_url": null,
        "workflow_url": format!("{}/actions/workflows/{}", ctx.repo_api(), ctx.workflow_id),
        "head_commit": {
            "id": run.head_sha, "tree_id": run.head_sha.chars().rev().collect::<String>(),
            "message": format!("Release {}", run.version), "timestamp": ctx.ts(run.start),
            "author": {"name": "Release Bot", "email": "release-bot@example.com"},
            "committer": {"name": "Release Bot", "email": "release-bot@example.com"},
        },
        "repository": minimal_repository(ctx), "head_repository": minimal_repository(ctx),
        "head_repository_id": 4242,
    })
}

/// The run's jobs (schema `job`), in order.
pub fn jobs(ctx: &Ctx, run: &SimRun, v: &RunView) -> Vec<Value> {
    v.jobs.iter().map(|j| {
        let id = run.id * 100 + j.index as u64 + 1;
        let ts = |t: Option<f64>| t.map(|t| ctx.ts(t));
        let steps: Vec<Value> = j.steps.iter().enumerate().map(|(k, s)| json!({
            "name": s.name, "status": s.status, "conclusion": s.conclusion, "number": k + 1,
            "started_at": ts(s.started), "completed_at": ts(s.completed),
        })).collect();
        let on_runner = j.started.is_some();
        json!({
            "id": id, "run_id": run.id, "run_url": ctx.run_api(run.id), "run_attempt": 1,
            "node_id": format!("CR_{id}"), "head_sha": run.head_sha,
            "url": format!("{}/actions/jobs/{id}", ctx.repo_api()),
            "html_url": format!("{}/job/{id}", ctx.run_html(run.id)),
            "status": j.status, "conclusion": j.conclusion,
            "created_at": ctx.ts(run.start), "started_at": ctx.ts(j.started.unwrap_or(run.start)),
            "completed_at": ts(j.completed), "name": job_name(j.index, run.job_count),
            "steps": steps,
            "check_run_url": format!("{}/check-runs/{id}", ctx.repo_api()),
            "labels": ["ubuntu-latest"], "runner_id": on_runner.then_some(11),
            "runner_name": on_runner.then_some("sandbox-runner-1"),
            "runner_group_id": on_runner.then_some(1), "runner_group_name": on_runner.then_some("Default"),
            "workflow_name": "Release", "head_branch": run.git_ref,
        })
    }).collect()
}

/// The annotations (schema `check-annotation`) of job `job`'s check run: none unless it failed;
/// a failed job leaves what a failing `release.sh` step would (an `::error` line naming the
/// sandbox fault) and the runner's exit-code line, as GitHub Actions records them.
pub fn annotations(ctx: &Ctx, run: &SimRun, job: &super::sim::JobView) -> Value {
    if job.conclusion != Some("failure") {
        return json!([]);
    }
    let step = job.steps.iter().find(|s| s.conclusion == Some("failure"));
    let blob = |path: &str| format!("{}/blob/{}/{path}", ctx.html(), run.head_sha);
    json!([
        {
            "path": "release.sh", "blob_href": blob("release.sh"),
            "start_line": 42, "end_line": 42, "start_column": null, "end_column": null,
            "annotation_level": "failure", "title": step.map_or("Run", |s| s.name),
            "message": format!(
                "{} failed: the sandbox fault fail_at_phase={} stops the release here",
                job_name(job.index, run.job_count), job.index + 1
            ),
            "raw_details": "release.sh: check exited with status 1\nsee the job log for the full output",
        },
        {
            "path": ".github", "blob_href": blob(".github"),
            "start_line": 1, "end_line": 1, "start_column": null, "end_column": null,
            "annotation_level": "failure", "title": "",
            "message": "Process completed with exit code 1.", "raw_details": "",
        },
    ])
}

pub fn pending_deployments(ctx: &Ctx, v: &RunView) -> Value {
    let Some(since) = v.waiting_since else {
        return json!([]);
    };
    json!([{
        "environment": {
            "id": PROD_ENV_ID, "node_id": format!("EN_{PROD_ENV_ID}"), "name": ctx.gate_env,
            "url": format!("{}/environments/{}", ctx.repo_api(), ctx.gate_env),
            "html_url": format!("{}/deployments/activity_log?environments_filter={}", ctx.html(), ctx.gate_env),
        },
        "wait_timer": 0, "wait_timer_started_at": ctx.ts(since), "current_user_can_approve": ctx.can_approve,
        "reviewers": [
            {"type": "User", "reviewer": simple_user(ctx, "oncall-lead", 21)},
            {"type": "Team", "reviewer": team(ctx, "release-managers", 31)},
        ],
    }])
}

pub fn deployment(ctx: &Ctx, run: &SimRun, now: f64) -> Value {
    let id = run.id * 10 + GATED_JOB as u64;
    let u = format!("{}/deployments/{id}", ctx.repo_api());
    json!({
        "url": u, "id": id, "node_id": format!("DE_{id}"), "sha": run.head_sha, "ref": run.git_ref,
        "task": "deploy", "payload": {}, "original_environment": ctx.gate_env, "environment": ctx.gate_env,
        "description": null, "creator": simple_user(ctx, "oncall-lead", 21),
        "created_at": ctx.ts(now), "updated_at": ctx.ts(now), "statuses_url": format!("{u}/statuses"),
        "repository_url": ctx.repo_api(), "transient_environment": false, "production_environment": true,
    })
}
