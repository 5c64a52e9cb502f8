"""PyGithub and the `gh` CLI judge the sandbox's GitHub side, for every GitHub call flightdeck
makes: list a workflow's runs (also `created>` and `event=` filtered), read a run, its jobs
(paged past 100 with `Link`), its pending deployments, dispatch (with run details), approve a
waiting deployment, cancel, read the workflow and its file (the inputs it declares).

How `gh` reaches a loopback server: gh treats the host `github.localhost` as a local GitHub and
talks plain http to `http://api.github.localhost/` (go-gh / cli `ghinstance.RESTPrefix`), and
takes its token from GH_TOKEN for that host (it is not an "enterprise" host). Go's
proxy-from-environment exempts only `localhost` and loopback IPs, so HTTP_PROXY pointing at the
sandbox carries those requests there: no /etc/hosts line, no port 80, nothing to clean up. The
sandbox serves absolute-form request targets and builds its URLs from the Host header, so the
links gh follows (`jobs_url`) point back through the same proxy.
"""

import base64
import json
import os
import shutil
import subprocess
import time

import pytest
import requests
from github import Auth, Github, GithubException

OWNER, REPO = "clarity", "clarity-backend"
FULL = f"{OWNER}/{REPO}"
TOKEN = "flightdeck-sandbox"
PROD_ENV_ID = 161171787


def faults(sandbox, plan):
    r = requests.post(f"{sandbox}/_sandbox/github/faults", json=plan, timeout=10)
    assert r.status_code == 200, r.text


@pytest.fixture
def fast(sandbox):
    """Runs dispatched in this test last about a second; listed at once. Cleared after."""
    faults(sandbox, {"clear": True, "job_secs": 1, "list_delay_secs": 0})
    yield
    faults(sandbox, {"clear": True})


@pytest.fixture
def gh_api(sandbox):
    return Github(base_url=sandbox, auth=Auth.Token(TOKEN), retry=None)


@pytest.fixture
def repo(gh_api):
    return gh_api.get_repo(FULL)


def wait_for(what, check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def dispatch(repo, version, **inputs):
    workflow = repo.get_workflow("release.yml")
    run = workflow.create_dispatch(
        "main", {"version": version, **inputs}, throw=True, return_run_details=True
    )
    return repo.get_workflow_run(run.id)


# --- PyGithub ---------------------------------------------------------------------------


def test_pygithub_reads_repository_workflow_and_its_declared_inputs(repo):
    assert repo.full_name == FULL
    assert repo.default_branch == "main"
    assert repo.owner.login == OWNER
    workflows = list(repo.get_workflows())
    assert [w.path for w in workflows] == [".github/workflows/release.yml"]
    workflow = repo.get_workflow("release.yml")
    assert workflow.id == workflows[0].id
    assert workflow.state == "active"
    assert repo.get_workflow(workflow.id).name == "Release"
    content = repo.get_contents(workflow.path, ref="main")
    text = content.decoded_content.decode()
    assert "workflow_dispatch:" in text and "version:" in text


def test_pygithub_lists_runs_with_filters_and_reads_a_finished_run(repo):
    workflow = repo.get_workflow("release.yml")
    runs = list(workflow.get_runs(event="workflow_dispatch"))
    assert runs, "the sandbox starts with a finished run"
    past = [r for r in runs if r.display_title == "Release 1.4.2"][0]
    assert (past.status, past.conclusion) == ("completed", "success")
    assert past.event == "workflow_dispatch"
    jobs = list(past.jobs("latest"))
    assert len(jobs) == 10
    assert jobs[3].name == "Test Suite Execution"
    assert all(j.conclusion == "success" and j.steps for j in jobs)
    assert jobs[0].steps[0].name == "Set up job"
    # A conditional re-read: PyGithub sends the weak ETag back and sees 304 (no change).
    assert past.etag.startswith('W/"')
    assert past.update() is False


def test_pygithub_dispatch_returns_run_details_and_the_run_completes(sandbox, repo, fast):
    run = dispatch(repo, "6.0.0")
    assert run.display_title == "Release 6.0.0"
    created = run.created_at
    after = repo.get_workflow("release.yml").get_runs(created=f">={created:%Y-%m-%dT%H:%M:%SZ}")
    assert run.id in [r.id for r in after]
    wait_for("the run to finish", lambda: run.update() and run.status == "completed")
    assert run.conclusion == "success"


def test_pygithub_sees_a_dispatched_run_listed_only_after_the_delay(sandbox, repo):
    faults(sandbox, {"clear": True, "list_delay_secs": 600})
    try:
        run = dispatch(repo, "6.1.0")
        listed = [r.id for r in repo.get_workflow("release.yml").get_runs()]
        assert run.id not in listed, "listed before the delay"
        assert repo.get_workflow_run(run.id).id == run.id, "the run itself is readable"
        faults(sandbox, {"list_delay_secs": 0})
        assert run.id in [r.id for r in repo.get_workflow("release.yml").get_runs()]
    finally:
        faults(sandbox, {"clear": True})


def test_pygithub_pages_jobs_past_100(sandbox, repo):
    faults(sandbox, {"clear": True, "jobs": 150, "job_secs": 60, "list_delay_secs": 0})
    try:
        run = dispatch(repo, "6.2.0")
        jobs = run.jobs()
        assert jobs.totalCount == 150
        names = [j.name for j in jobs]
        assert len(names) == 150 and len(set(names)) == 150
        assert names[-1] == "Post-Deployment Verification (150/150)"
    finally:
        faults(sandbox, {"clear": True})


def test_pygithub_approves_a_waiting_deployment_and_cancels(sandbox, gh_api, repo, fast):
    run = dispatch(repo, "6.3.0", require_approval="true")
    wait_for("the run to wait", lambda: run.update() and run.status == "waiting")
    url = f"{run.url}/pending_deployments"
    _, pending = gh_api.requester.requestJsonAndCheck("GET", url)
    assert pending[0]["environment"]["name"] == "prod"
    assert pending[0]["current_user_can_approve"] is True
    assert {r["type"] for r in pending[0]["reviewers"]} == {"User", "Team"}
    env_id = pending[0]["environment"]["id"]
    _, deployments = gh_api.requester.requestJsonAndCheck(
        "POST",
        url,
        input={"environment_ids": [env_id], "state": "approved", "comment": "GO 32/32"},
    )
    assert deployments[0]["environment"] == "prod"
    wait_for("the run to finish", lambda: run.update() and run.status == "completed")
    assert run.conclusion == "success"
    # A finished run cannot be cancelled: GitHub's 409.
    with pytest.raises(GithubException) as refused:
        gh_api.requester.requestJsonAndCheck("POST", f"{run.url}/cancel")
    assert refused.value.status == 409
    second = dispatch(repo, "6.4.0")
    assert second.cancel() is True
    wait_for("the cancel", lambda: second.update() and second.status == "completed")
    assert second.conclusion == "cancelled"


def test_pygithub_gets_githubs_errors(sandbox, repo):
    workflow = repo.get_workflow("release.yml")
    with pytest.raises(GithubException) as undeclared:
        workflow.create_dispatch("main", {"version": "1", "region": "eu"}, throw=True)
    assert undeclared.value.status == 422
    assert undeclared.value.data["message"] == 'Unexpected inputs provided: ["region"]'
    anonymous = Github(base_url=sandbox, retry=None).get_repo(FULL, lazy=True)
    with pytest.raises(GithubException) as unauthenticated:
        anonymous.get_workflow_run(9000001).cancel()
    assert unauthenticated.value.status == 401
    assert unauthenticated.value.data["message"] == "Requires authentication"


# --- the gh CLI -------------------------------------------------------------------------


@pytest.fixture
def gh(sandbox, tmp_path):
    """Runs `gh` against the sandbox (see the module docstring); returns the completed process."""
    binary = shutil.which("gh")
    assert binary, "the gh CLI is missing: tests/run.sh installs the Debian package `gh`"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GH_", "GITHUB_"))}
    env.update(
        GH_HOST="github.localhost",
        GH_TOKEN=TOKEN,
        GH_CONFIG_DIR=str(tmp_path / "gh"),
        GH_PROMPT_DISABLED="1",
        GH_NO_UPDATE_NOTIFIER="1",
        NO_COLOR="1",
        HTTP_PROXY=sandbox,
        http_proxy=sandbox,
        NO_PROXY="",
        no_proxy="",
    )

    def run(*args, stdin=None, check=True):
        done = subprocess.run(
            [binary, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
        )
        if check:
            assert done.returncode == 0, f"gh {' '.join(args)}: {done.stderr}"
        return done

    return run


R = ["-R", f"github.localhost/{FULL}"]


def gh_json(gh, *args):
    return json.loads(gh(*args).stdout)


def test_gh_api_reads_the_calls_flightdeck_makes(gh):
    repo = gh_json(gh, "api", f"repos/{FULL}")
    assert repo["full_name"] == FULL
    runs = gh_json(gh, "api", f"repos/{FULL}/actions/workflows/release.yml/runs?per_page=1")
    assert runs["total_count"] >= 1 and len(runs["workflow_runs"]) == 1
    newest = runs["workflow_runs"][0]
    run = gh_json(gh, "api", f"repos/{FULL}/actions/runs/{newest['id']}")
    assert run["id"] == newest["id"]
    jobs = gh_json(gh, "api", f"repos/{FULL}/actions/runs/9000001/jobs?filter=latest&per_page=100")
    assert [j["name"] for j in jobs["jobs"]][:2] == [
        "Environment Setup & Validation",
        "Dependency Installation & Security Audit",
    ]
    assert gh_json(gh, "api", f"repos/{FULL}/actions/runs/9000001/pending_deployments") == []
    workflow = gh_json(gh, "api", f"repos/{FULL}/actions/workflows/release.yml")
    file = gh_json(gh, "api", f"repos/{FULL}/contents/{workflow['path']}?ref=main")
    assert b"workflow_dispatch" in base64.b64decode(file["content"])
    head = gh("api", "-i", f"repos/{FULL}/actions/runs/9000001").stdout
    assert 'etag: w/"' in head.lower()


def test_gh_paginates_jobs_past_100(sandbox, gh):
    faults(sandbox, {"clear": True, "jobs": 150, "job_secs": 60, "list_delay_secs": 0})
    try:
        body = {"ref": "main", "inputs": {"version": "7.1.0"}, "return_run_details": True}
        done = gh(
            "api", "-X", "POST", f"repos/{FULL}/actions/workflows/release.yml/dispatches",
            "--input", "-", stdin=json.dumps(body),
        )
        out = json.loads(done.stdout)
        run_id = out["workflow_run_id"]
        names = gh(
            "api", "--paginate", "--jq", ".jobs[].name",
            f"repos/{FULL}/actions/runs/{run_id}/jobs?filter=latest&per_page=100",
        ).stdout.split("\n")
        names = [n for n in names if n]
        assert len(names) == 150
    finally:
        faults(sandbox, {"clear": True})


def test_gh_workflow_run_then_run_list_view_and_watch(sandbox, gh, fast):
    gh("workflow", "run", "release.yml", *R, "--ref", "main", "-f", "version=7.2.0")
    runs = wait_for(
        "gh run list to show the run",
        lambda: [
            r
            for r in gh_json(
                gh, "run", "list", *R, "--json", "databaseId,displayTitle,status,workflowName"
            )
            if r["displayTitle"] == "Release 7.2.0"
        ],
    )
    assert runs[0]["workflowName"] == "Release"
    run_id = str(runs[0]["databaseId"])
    watched = gh("run", "watch", run_id, *R, "--interval", "1", "--exit-status")
    assert watched.returncode == 0
    view = gh_json(gh, "run", "view", run_id, *R, "--json", "status,conclusion,jobs")
    assert (view["status"], view["conclusion"]) == ("completed", "success")
    assert len(view["jobs"]) == 10
    assert all(j["conclusion"] == "success" for j in view["jobs"])


def test_gh_workflow_run_gets_githubs_422_for_an_undeclared_input(gh):
    done = gh(
        "workflow", "run", "release.yml", *R, "--ref", "main", "-f", "version=1", "-f", "x=1",
        check=False,
    )
    assert done.returncode != 0
    assert 'Unexpected inputs provided: ["x"]' in done.stderr


def test_gh_approves_a_waiting_deployment_and_cancels_a_run(sandbox, gh, fast):
    done = gh(
        "api", "-X", "POST", f"repos/{FULL}/actions/workflows/release.yml/dispatches",
        "--input", "-",
        stdin=json.dumps(
            {
                "ref": "main",
                "inputs": {"version": "7.3.0", "require_approval": "true"},
                "return_run_details": True,
            }
        ),
    )
    run_id = json.loads(done.stdout)["workflow_run_id"]
    path = f"repos/{FULL}/actions/runs/{run_id}/pending_deployments"
    pending = wait_for("the run to wait", lambda: gh_json(gh, "api", path))
    assert pending[0]["environment"]["id"] == PROD_ENV_ID
    review = {"environment_ids": [PROD_ENV_ID], "state": "rejected", "comment": "NO-GO"}
    gh("api", "-X", "POST", path, "--input", "-", stdin=json.dumps(review))
    view = wait_for(
        "the rejection to finish the run",
        lambda: (v := gh_json(gh, "run", "view", str(run_id), *R, "--json", "status,conclusion"))
        and v["status"] == "completed"
        and v,
    )
    assert view["conclusion"] == "failure"
    faults(sandbox, {"job_secs": 600})
    second = gh(
        "api", "-X", "POST", f"repos/{FULL}/actions/workflows/release.yml/dispatches",
        "--input", "-",
        stdin=json.dumps({"ref": "main", "inputs": {"version": "7.4.0"}, "return_run_details": True}),
    )
    second_id = str(json.loads(second.stdout)["workflow_run_id"])
    gh("run", "cancel", second_id, *R)
    view = gh_json(gh, "run", "view", second_id, *R, "--json", "status,conclusion")
    assert (view["status"], view["conclusion"]) == ("completed", "cancelled")
