"""The official Python client `google-cloud-run` (REST transport) against the sandbox, for every
Cloud Run call flightdeck makes: services.get/list/patch (with and without update_mask),
revisions.list/get, operations.get (polling a long-running operation) and operations.wait.

The REST transport sends `$alt=json;enum-encoding=int` and enums as numbers; an `http://`
api_endpoint keeps it on plain HTTP; anonymous credentials send no token.
"""

import pytest
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import run_v2
from google.longrunning import operations_pb2
from google.protobuf import duration_pb2, field_mask_pb2

PARENT = "projects/clarity-sandbox/locations/us-central1"
DEV = PARENT + "/services/clarity-backend-dev"
PROD = PARENT + "/services/clarity-backend-prod"
STAGING = PARENT + "/services/clarity-backend-staging"
LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
SUCCEEDED = run_v2.Condition.State.CONDITION_SUCCEEDED


def _options(sandbox):
    return dict(
        transport="rest",
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=sandbox),
    )


@pytest.fixture(scope="module")
def services(sandbox):
    return run_v2.ServicesClient(**_options(sandbox))


@pytest.fixture(scope="module")
def revisions(sandbox):
    return run_v2.RevisionsClient(**_options(sandbox))


def ingress(service):
    """The container with ports (a sidecar comes first in the sandbox, as in real services)."""
    found = [c for c in service.template.containers if c.ports]
    assert len(found) == 1, service.template.containers
    return found[0]


def short(name):
    return name.rsplit("/", 1)[-1]


def test_list_services_pages_with_opaque_tokens(services):
    pager = services.list_services(request={"parent": PARENT, "page_size": 2})
    names = [s.name for s in pager]
    assert names == [DEV, PROD, STAGING]


def test_an_ordinary_deploy_reads_as_the_real_api_gives_it(services):
    dev = services.get_service(name=DEV)
    assert dev.generation >= 1 and dev.observed_generation == dev.generation
    assert len(dev.traffic) == 1
    assert dev.traffic[0].type_ == LATEST and dev.traffic[0].revision == ""
    assert dev.traffic[0].percent == 100
    assert dev.traffic_statuses[0].type_ == LATEST
    assert dev.template.revision.startswith("clarity-backend-dev-")
    assert dev.latest_ready_revision == DEV + "/revisions/" + dev.template.revision
    assert [c.name for c in dev.template.containers] == ["otel-collector", "app"]
    app = ingress(dev)
    assert app.image.endswith(":1.4.2")
    assert {e.name for e in app.env} == {"APP_ENV", "DATABASE_PASSWORD"}
    assert app.env[1].value_source.secret_key_ref.secret == "db-password"
    assert dev.template.scaling.max_instance_count == 20
    assert dev.terminal_condition.state == SUCCEEDED
    assert dev.create_time.timestamp() < dev.update_time.timestamp()


def test_pinned_traffic_with_a_tag_and_its_url(services):
    prod = services.get_service(name=PROD)
    tagged = [t for t in prod.traffic_statuses if t.tag]
    assert [t.tag for t in tagged] == ["previous"]
    assert tagged[0].uri.endswith("/apps/previous---clarity-backend-prod")
    serving = [t for t in prod.traffic_statuses if t.percent]
    assert serving[0].type_ == REVISION and serving[0].percent == 100
    assert serving[0].revision == short(prod.latest_ready_revision)


def test_revisions_list_and_get(revisions, services):
    listed = list(revisions.list_revisions(request={"parent": PROD, "page_size": 2}))
    assert len(listed) == 3
    assert all(r.name.startswith(PROD + "/revisions/clarity-backend-prod-") for r in listed)
    newest = listed[0]
    assert newest.name == services.get_service(name=PROD).latest_ready_revision
    assert newest.conditions[0].type_ == "Ready" and newest.conditions[0].state == SUCCEEDED
    got = revisions.get_revision(name=newest.name)
    assert got.name == newest.name and got.service == "clarity-backend-prod"
    assert [c.name for c in got.containers] == ["otel-collector", "app"]
    with pytest.raises(exceptions.NotFound):
        revisions.get_revision(name=PROD + "/revisions/clarity-backend-prod-99999-zzz")


def test_a_traffic_patch_with_update_mask_keeps_everything_else(services):
    before = services.get_service(name=PROD)
    older = [t.revision for t in before.traffic if t.tag == "previous"][0]
    current = short(before.latest_ready_revision)
    body = run_v2.Service(
        name=PROD,
        traffic=[
            run_v2.TrafficTarget(type_=REVISION, revision=current, percent=90),
            run_v2.TrafficTarget(type_=REVISION, revision=older, percent=10, tag="previous"),
        ],
    )
    operation = services.update_service(
        request={"service": body, "update_mask": field_mask_pb2.FieldMask(paths=["traffic"])}
    )
    after = operation.result(timeout=60)
    assert after.name == PROD
    split = sorted((t.revision, t.percent) for t in after.traffic_statuses)
    assert split == sorted([(current, 90), (older, 10)])
    assert after.template == before.template, "the mask left the template alone"
    assert after.labels == before.labels
    assert after.generation == before.generation + 1


def test_a_new_image_through_a_full_patch_and_operations_wait(services, revisions):
    dev = services.get_service(name=DEV)
    ingress(dev).image = ingress(dev).image.rsplit(":", 1)[0] + ":1.9.0"
    dev.template.revision = ""
    operation = services.update_service(service=dev)
    name = operation.operation.name
    assert name.startswith(PARENT + "/operations/")
    polled = services.get_operation(operations_pb2.GetOperationRequest(name=name))
    assert polled.name == name
    waited = services.wait_operation(
        operations_pb2.WaitOperationRequest(name=name, timeout=duration_pb2.Duration(seconds=600))
    )
    assert waited.done
    after = operation.result(timeout=60)
    assert ingress(after).image.endswith(":1.9.0")
    assert after.latest_ready_revision != dev.latest_ready_revision
    assert after.traffic[0].type_ == LATEST
    assert len(after.template.containers) == 2, "the sidecar is kept"
    newest = revisions.get_revision(name=after.latest_ready_revision)
    assert [c.image for c in newest.containers if c.ports][0].endswith(":1.9.0")


def test_a_reused_revision_name_is_refused(services):
    staging = services.get_service(name=STAGING)
    ingress(staging).image = ingress(staging).image.rsplit(":", 1)[0] + ":2.0.0"
    with pytest.raises(exceptions.Conflict) as refused:
        services.update_service(service=staging)
    assert refused.value.reason == "REVISION_ALREADY_EXISTS"
    assert refused.value.domain == "run.googleapis.com"


def test_a_revision_that_fails_ends_the_operation_with_a_numeric_code(services):
    staging = services.get_service(name=STAGING)
    ingress(staging).image = ingress(staging).image.rsplit(":", 1)[0] + ":2.0.0-crash"
    staging.template.revision = ""
    operation = services.update_service(service=staging)
    with pytest.raises(exceptions.FailedPrecondition):
        operation.result(timeout=60)
    after = services.get_service(name=STAGING)
    assert after.terminal_condition.state == run_v2.Condition.State.CONDITION_FAILED
    assert after.latest_created_revision != after.latest_ready_revision
    assert after.traffic_statuses[0].type_ == LATEST


def test_a_missing_service_is_a_google_error_with_details(services):
    with pytest.raises(exceptions.NotFound) as missing:
        services.get_service(name=PARENT + "/services/nope")
    assert missing.value.domain == "run.googleapis.com"
