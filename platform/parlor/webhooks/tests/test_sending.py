"""One attempt at a time: success, a retry with backoff, an endpoint disabled after 3 days."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from parlor.outbound import http as outbound_http
from parlor.testing.receivers import Receiver
from parlor.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from parlor.webhooks.retries import retry_delay
from parlor.webhooks.sending import delivery_attempt
from parlor.webhooks.services import webhook_endpoint_create
from parlor.webhooks.tests.conftest import webhook_jobs

pytestmark = pytest.mark.usefixtures("clean_webhooks")


@pytest.fixture
def receiver():
    statuses: list[int] = []
    receiver = Receiver(answer=lambda attempt: statuses[min(attempt, len(statuses)) - 1])
    receiver.statuses = statuses
    receiver.url = receiver.start()
    yield receiver
    receiver.stop()


def pending_delivery(created, url: str, *, event_age: timedelta = timedelta(0)) -> WebhookDelivery:
    with schema_context(created.tenant.schema_name):
        endpoint = webhook_endpoint_create(url=url, events=["message.created"])
        event = WebhookEvent.objects.create(
            id="evt_test",
            type="message.created",
            payload={"id": "evt_test"},
            created_at=timezone.now() - event_age,
        )
        return WebhookDelivery.objects.create(
            event=event, endpoint=endpoint, created_at=event.created_at
        )


def attempt(created, delivery: WebhookDelivery) -> str:
    schema = created.tenant.schema_name
    with schema_context(schema):
        return delivery_attempt(schema_name=schema, delivery_id=delivery.id)


def reloaded(created, model, pk):
    with schema_context(created.tenant.schema_name):
        return model.objects.get(pk=pk)


def test_a_2xx_answer_finishes_the_delivery_and_a_second_run_sends_nothing(tenant_alpha, receiver):
    receiver.statuses[:] = [204]
    delivery = pending_delivery(tenant_alpha, receiver.url)
    assert attempt(tenant_alpha, delivery) == "succeeded"
    assert attempt(tenant_alpha, delivery) == "succeeded"  # a job run twice: at least once
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["webhook-id"] == "evt_test"


def test_a_failure_schedules_the_next_attempt_later_and_marks_the_endpoint_failing(
    tenant_alpha, receiver
):
    receiver.statuses[:] = [503]
    delivery = pending_delivery(tenant_alpha, receiver.url)
    before = timezone.now()
    assert attempt(tenant_alpha, delivery) == "pending"
    stored = reloaded(tenant_alpha, WebhookDelivery, delivery.id)
    assert (stored.attempts, stored.last_status_code) == (1, 503)
    assert stored.next_attempt_at > before
    assert reloaded(tenant_alpha, WebhookEndpoint, delivery.endpoint_id).failing_since is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT scheduled_at FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'"
        )
        assert cursor.fetchone()[0] == stored.next_attempt_at
    assert len(webhook_jobs()) == 1


def test_an_endpoint_failing_for_three_days_is_disabled_and_its_delivery_given_up(
    tenant_alpha, receiver
):
    receiver.statuses[:] = [500]
    delivery = pending_delivery(tenant_alpha, receiver.url, event_age=timedelta(days=3, seconds=1))
    with schema_context(tenant_alpha.tenant.schema_name):
        WebhookEndpoint.objects.update(failing_since=timezone.now() - timedelta(days=3, seconds=1))
    assert attempt(tenant_alpha, delivery) == "failed"
    assert reloaded(tenant_alpha, WebhookEndpoint, delivery.endpoint_id).disabled_at is not None
    assert webhook_jobs() == []


def test_a_connection_error_is_a_failure_like_any_other(tenant_alpha):
    delivery = pending_delivery(tenant_alpha, "http://127.0.0.1:9/nobody-listens")
    assert attempt(tenant_alpha, delivery) == "pending"
    assert reloaded(tenant_alpha, WebhookDelivery, delivery.id).last_error


def test_a_receiver_that_does_not_answer_in_time_is_a_failure_retried_later(
    tenant_alpha, monkeypatch
):
    released = threading.Event()
    # The receiver reads the request, then answers only once the test is over.
    receiver = Receiver(answer=lambda attempt: 200 if released.wait(30) else 500)
    url = receiver.start()
    monkeypatch.setattr(outbound_http, "TIMEOUT_SECONDS", 0.5)  # 10 s in production
    try:
        delivery = pending_delivery(tenant_alpha, url)
        began = timezone.now()
        assert attempt(tenant_alpha, delivery) == "pending"
    finally:
        released.set()
        receiver.stop()
    failed = reloaded(tenant_alpha, WebhookDelivery, delivery.id)
    assert (failed.attempts, failed.last_error) == (1, "TimeoutError")
    assert failed.next_attempt_at > began  # a later attempt is scheduled
    assert [status for status, _ in webhook_jobs()] == ["todo"]  # the retry, queued


@override_settings(
    PARLOR={"WEBHOOK_RETRY_FIRST_SECONDS": 10.0, "WEBHOOK_RETRY_MAX_SECONDS": 6 * 3600.0}
)
def test_backoff_grows_exponentially_with_jitter_and_retries_span_more_than_a_day():
    delays = [retry_delay(attempt).total_seconds() for attempt in range(1, 30)]
    assert 8 <= delays[0] <= 12 and 24 <= delays[1] <= 36 and 72 <= delays[2] <= 108
    assert max(delays) <= 6 * 3600 * 1.2
    assert len({round(retry_delay(5).total_seconds(), 3) for _ in range(20)}) > 1  # jitter
    # Attempts within the 3-day window: enough to cover more than 24 hours.
    elapsed, attempts = 0.0, 0
    while elapsed < 3 * 24 * 3600:
        attempts += 1
        elapsed += retry_delay(attempts).total_seconds()
    assert attempts >= 10


def test_old_finished_events_are_pruned_and_pending_ones_kept(tenant_alpha):
    from parlor.webhooks.services import webhook_events_prune

    with schema_context(tenant_alpha.tenant.schema_name):
        endpoint = webhook_endpoint_create(
            url="https://hooks.example/in", events=["message.created"]
        )
        old = timezone.now() - timedelta(days=31)
        for event_id, status in (("evt_done", "succeeded"), ("evt_pending", "pending")):
            event = WebhookEvent.objects.create(
                id=event_id, type="message.created", payload={}, created_at=old
            )
            WebhookDelivery.objects.create(
                event=event, endpoint=endpoint, created_at=old, status=status
            )
        assert webhook_events_prune(older_than=timedelta(days=30)) == 1
        assert list(WebhookEvent.objects.values_list("id", flat=True)) == ["evt_pending"]
        assert WebhookDelivery.objects.count() == 1
