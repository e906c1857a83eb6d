"""Schemathesis, property-based, against a live server: no 5xx, and every answer fits the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from parlor.testing.database import database_url_for_tests
from parlor.testing.servers import start_server
from parlor.testing.tenants import scratch_tenant

# Bounded: the whole run stays well under a minute on a shared machine.
EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_tenant(django_db_setup, django_db_blocker):
    """A tenant of its own: generated requests revoke keys and erase data."""
    with scratch_tenant("fuzzed", django_db_blocker) as created:
        yield created


@pytest.fixture(scope="module")
def parlor_server(django_db_setup, django_db_blocker, tmp_path_factory, redis_url):
    with django_db_blocker.unblock():
        url = database_url_for_tests()
    server = start_server(
        database_url=url, log_dir=tmp_path_factory.mktemp("schemathesis"), redis_url=redis_url
    )
    yield server
    server.stop()


def test_the_api_answers_every_generated_request_as_its_schema_says(parlor_server, fuzzed_tenant):
    schema = schemathesis.openapi.from_url(f"{parlor_server.http_url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {fuzzed_tenant.secret_key}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    statuses: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case):
            statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

        answers_as_documented()
    assert len(statuses) >= 2 * len(operations)
    assert any(200 <= status < 300 for status in statuses)


def test_successful_webhook_answers_match_the_schema(parlor_server, fuzzed_tenant):
    # Generated URLs are refused (422), so the successes are checked with a valid request too.
    schema = schemathesis.openapi.from_url(f"{parlor_server.http_url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {fuzzed_tenant.secret_key}"}
    body = {"url": "https://hooks.example/in", "events": ["message.created"]}
    created = schema["/api/v1/webhooks"]["POST"].Case(body=body)
    endpoint = created.call_and_validate(headers=headers, checks=CHECKS).json()
    assert endpoint["secret"].startswith("whsec_")
    path = {"endpoint_id": endpoint["id"]}
    for route, method in [
        ("/api/v1/webhooks", "GET"),
        ("/api/v1/webhooks/{endpoint_id}/rotate-secret", "POST"),
        ("/api/v1/webhooks/{endpoint_id}/deliveries", "GET"),
        ("/api/v1/webhooks/{endpoint_id}", "DELETE"),
    ]:
        case = schema[route][method].Case(path_parameters=path if "{" in route else None)
        assert case.call_and_validate(headers=headers, checks=CHECKS).status_code < 300
