"""The official google-cloud-deploy client (REST transport) drives the sandbox's Cloud Deploy subset
for every call flightdeck makes: pipeline and targets, releases and rollouts (LROs, requestId),
approve / reject, advance, cancel, retryJob, rollbackTarget, and Google's error JSON."""

import json
import time
import urllib.request
import uuid

import pytest
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import deploy_v1

PARENT = "projects/clarity-sandbox/locations/us-central1"
PIPE = PARENT + "/deliveryPipelines/clarity"
Rollout = deploy_v1.Rollout
Phase = deploy_v1.Phase


@pytest.fixture(scope="module")
def client(sandbox):
    return deploy_v1.CloudDeployClient(
        credentials=AnonymousCredentials(),
        transport="rest",
        client_options=ClientOptions(api_endpoint=sandbox),
    )


def set_faults(sandbox, **faults):
    request = urllib.request.Request(
        sandbox + "/_sandbox/clouddeploy/faults",
        data=json.dumps(faults).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def wait_for(client, name, check, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        rollout = client.get_rollout(name=name)
        if check(rollout):
            return rollout
        assert time.monotonic() < deadline, f"{name} stuck: {rollout}"
        time.sleep(0.2)


def phase(rollout, phase_id):
    return next(p for p in rollout.phases if p.id == phase_id)


def new_release(client, version):
    release_id = "conf-" + uuid.uuid4().hex[:8]
    request = {
        "parent": PIPE,
        "release_id": release_id,
        "request_id": str(uuid.uuid4()),
        "release": {
            "description": "conformance " + version,
            "build_artifacts": [{"image": "app", "tag": "repo/clarity:" + version}],
        },
    }
    operation = client.create_release(request=request)
    release = operation.result(timeout=60)
    return request, operation, release


def rollout_on(client, release, target):
    request = {
        "parent": release.name,
        "rollout_id": f"{release.name.rsplit('/', 1)[1]}-to-{target}",
        "request_id": str(uuid.uuid4()),
        "rollout": {"target_id": target, "description": "conformance"},
    }
    return client.create_rollout(request=request).result(timeout=60)


def first_rollout(client, release):
    deadline = time.monotonic() + 60
    while True:
        rollouts = list(client.list_rollouts(parent=release.name))
        if rollouts:
            assert [r.target_id for r in rollouts] == ["dev"]
            return wait_for(client, rollouts[0].name, lambda r: r.state == Rollout.State.SUCCEEDED)
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_pipeline_order_targets_and_errors(client):
    pipeline = client.get_delivery_pipeline(name=PIPE)
    stages = pipeline.serial_pipeline.stages
    assert [s.target_id for s in stages] == ["dev", "staging", "prod"]
    assert list(stages[2].strategy.canary.canary_deployment.percentages) == [10, 50]
    assert client.get_target(name=PARENT + "/targets/prod").require_approval
    assert not client.get_target(name=PARENT + "/targets/dev").require_approval
    assert {t.target_id for t in client.list_targets(parent=PARENT)} == {"dev", "staging", "prod"}
    with pytest.raises(exceptions.NotFound):
        client.get_release(name=PIPE + "/releases/nope")
    with pytest.raises(exceptions.BadRequest):
        client.create_release(
            request={
                "parent": PIPE,
                "release_id": "zero",
                "request_id": "00000000-0000-0000-0000-000000000000",
                "release": {},
            }
        )


def test_release_request_id_dedup_promote_approve_advance(client, sandbox):
    request, operation, release = new_release(client, "1.0.0")
    assert release.render_state == deploy_v1.Release.RenderState.SUCCEEDED
    assert release.build_artifacts[0].tag == "repo/clarity:1.0.0"
    # The same requestId is ignored: the first operation answers, no second release.
    again = client.create_release(request=request)
    assert again.operation.name == operation.operation.name
    mine = [r for r in client.list_releases(parent=PIPE) if r.name == release.name]
    assert len(mine) == 1
    # A new requestId with the same releaseId is a conflict.
    with pytest.raises(exceptions.Conflict):
        client.create_release(request={**request, "request_id": str(uuid.uuid4())})

    dev = first_rollout(client, release)
    assert phase(dev, "stable").deployment_jobs.deploy_job.state == deploy_v1.Job.State.SUCCEEDED
    assert phase(dev, "stable").deployment_jobs.verify_job.state == deploy_v1.Job.State.SUCCEEDED

    staging = rollout_on(client, release, "staging")
    wait_for(client, staging.name, lambda r: r.state == Rollout.State.SUCCEEDED)

    prod = rollout_on(client, release, "prod")
    assert prod.state == Rollout.State.PENDING_APPROVAL
    assert prod.approval_state == Rollout.ApprovalState.NEEDS_APPROVAL
    assert [p.id for p in prod.phases] == ["canary-10", "canary-50", "stable"]
    client.approve_rollout(request={"name": prod.name, "approved": True})
    prod = wait_for(client, prod.name, lambda r: phase(r, "canary-10").state == Phase.State.SUCCEEDED)
    assert prod.approval_state == Rollout.ApprovalState.APPROVED
    assert phase(prod, "canary-50").state == Phase.State.PENDING
    with pytest.raises(exceptions.BadRequest):
        client.advance_rollout(request={"name": prod.name, "phase_id": "stable"})
    client.advance_rollout(request={"name": prod.name, "phase_id": "canary-50"})
    wait_for(client, prod.name, lambda r: phase(r, "canary-50").state == Phase.State.SUCCEEDED)
    client.advance_rollout(request={"name": prod.name, "phase_id": "stable"})
    wait_for(client, prod.name, lambda r: r.state == Rollout.State.SUCCEEDED)


def test_reject_cancel_retry_job_and_rollback_target(client, sandbox):
    _, _, old = new_release(client, "2.0.0")
    first_rollout(client, old)
    _, _, new = new_release(client, "2.0.1")
    first_rollout(client, new)

    prod = rollout_on(client, new, "prod")
    client.approve_rollout(request={"name": prod.name, "approved": False})
    rejected = client.get_rollout(name=prod.name)
    assert rejected.state == Rollout.State.APPROVAL_REJECTED
    assert rejected.approval_state == Rollout.ApprovalState.REJECTED

    set_faults(sandbox, fail_next_deploy_jobs=1)
    staging = rollout_on(client, new, "staging")
    failed = wait_for(client, staging.name, lambda r: r.state == Rollout.State.FAILED)
    assert phase(failed, "stable").deployment_jobs.deploy_job.state == deploy_v1.Job.State.FAILED
    client.retry_job(request={"rollout": staging.name, "phase_id": "stable", "job_id": "deploy"})
    wait_for(client, staging.name, lambda r: r.state == Rollout.State.SUCCEEDED)

    _, _, third = new_release(client, "2.0.2")
    third_dev = first_rollout(client, third)
    cancelled_prod = rollout_on(client, third, "prod")
    client.cancel_rollout(name=cancelled_prod.name)
    assert client.get_rollout(name=cancelled_prod.name).state == Rollout.State.CANCELLED

    answer = client.rollback_target(
        request={
            "name": PIPE,
            "target_id": "dev",
            "rollout_id": "rb-" + uuid.uuid4().hex[:8],
            "rollout_to_roll_back": third_dev.name,
            "rollback_config": {"starting_phase_id": "stable"},
        }
    )
    rollback = answer.rollback_config.rollout
    assert rollback.rollback_of_rollout == third_dev.name
    assert rollback.name.startswith(new.name + "/rollouts/"), "back to the previous release"
    done = wait_for(client, rollback.name, lambda r: r.state == Rollout.State.SUCCEEDED)
    assert done.target_id == "dev"
    assert rollback.name in client.get_rollout(name=third_dev.name).rolled_back_by_rollouts


def test_lost_create_answer_then_retry_with_the_same_request_id(client, sandbox):
    release_id = "lost-" + uuid.uuid4().hex[:8]
    request = {
        "parent": PIPE,
        "release_id": release_id,
        "request_id": str(uuid.uuid4()),
        "release": {"build_artifacts": [{"image": "app", "tag": "repo/clarity:3.0.0"}]},
    }
    set_faults(sandbox, lose_next_create_answers=1)
    with pytest.raises(exceptions.ServiceUnavailable):
        client.create_release(request=request, retry=None)
    release = client.create_release(request=request).result(timeout=60)
    assert release.name == PIPE + "/releases/" + release_id
    assert len([r for r in client.list_releases(parent=PIPE) if r.name == release.name]) == 1


def test_deploy_policy_blocks_create_until_overridden(client):
    """A deploy policy restricting CREATE on prod (a one-time window around now, New York time)
    blocks a rollout with FAILED_PRECONDITION and a PolicyViolation naming it; naming it in
    override_deploy_policy lets the rollout through; a suspended policy never blocks."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("America/New_York")).date()
    start, end = today - timedelta(days=1), today + timedelta(days=2)
    date = lambda d: {"year": d.year, "month": d.month, "day": d.day}
    policy_id = "freeze-" + uuid.uuid4().hex[:8]
    body = {
        "description": "year-end freeze",
        "selectors": [{"target": {"id": "prod"}}],
        "rules": [
            {
                "rollout_restriction": {
                    "id": "no-prod-rollouts",
                    "invokers": [deploy_v1.DeployPolicy.Invoker.USER],
                    "actions": [deploy_v1.RolloutRestriction.RolloutActions.CREATE],
                    "time_windows": {
                        "time_zone": "America/New_York",
                        "one_time_windows": [
                            {"start_date": date(start), "start_time": {}, "end_date": date(end), "end_time": {"hours": 9}}
                        ],
                    },
                }
            }
        ],
    }
    suspended_id = "paused-" + uuid.uuid4().hex[:8]
    created = client.create_deploy_policy(
        parent=PARENT, deploy_policy=body, deploy_policy_id=policy_id
    ).result(timeout=60)
    paused = {**body, "suspended": True, "selectors": [{"delivery_pipeline": {"id": "*"}}]}
    client.create_deploy_policy(parent=PARENT, deploy_policy=paused, deploy_policy_id=suspended_id).result(timeout=60)
    name = PARENT + "/deployPolicies/" + policy_id
    try:
        assert created.name == name
        got = client.get_deploy_policy(name=name)
        restriction = got.rules[0].rollout_restriction
        assert restriction.actions == [deploy_v1.RolloutRestriction.RolloutActions.CREATE]
        assert restriction.time_windows.time_zone == "America/New_York"
        assert restriction.time_windows.one_time_windows[0].end_time.hours == 9
        assert got.selectors[0].target.id == "prod" and got.create_time and got.uid
        listed = {p.name: p for p in client.list_deploy_policies(parent=PARENT)}
        assert listed[name].description == "year-end freeze"
        assert listed[PARENT + "/deployPolicies/" + suspended_id].suspended

        _, _, release = new_release(client, "4.0.0")
        assert rollout_on(client, release, "staging").target_id == "staging"  # not selected
        request = {
            "parent": release.name,
            "rollout_id": "blocked-" + uuid.uuid4().hex[:8],
            "request_id": str(uuid.uuid4()),
            "rollout": {"target_id": "prod"},
        }
        with pytest.raises(exceptions.BadRequest) as blocked:
            client.create_rollout(request=request)
        assert blocked.value.response.json()["error"]["status"] == "FAILED_PRECONDITION"
        assert name in blocked.value.message
        violation = blocked.value.details[0]
        assert violation["@type"] == "type.googleapis.com/google.cloud.deploy.v1.PolicyViolation"
        assert violation["policyViolationDetails"][0]["policy"] == name
        assert violation["policyViolationDetails"][0]["ruleId"] == "no-prod-rollouts"
        assert not [r for r in client.list_rollouts(parent=release.name) if r.target_id == "prod"]

        allowed = client.create_rollout(request={**request, "override_deploy_policy": [name]})
        assert allowed.result(timeout=60).target_id == "prod"
    finally:
        for policy in (name, PARENT + "/deployPolicies/" + suspended_id):
            client.delete_deploy_policy(name=policy).result(timeout=60)
    assert not list(client.list_deploy_policies(parent=PARENT))
