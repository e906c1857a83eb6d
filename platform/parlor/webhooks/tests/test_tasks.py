"""Deliveries by a real worker process: retried until they arrive, and surviving a killed worker."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time

import pytest
from django_tenants.utils import schema_context

from parlor.chat import services
from parlor.testing.database import database_url_for_tests
from parlor.testing.receivers import Receiver
from parlor.testing.workers import start_worker
from parlor.webhooks.models import WebhookDelivery
from parlor.webhooks.services import webhook_endpoint_create
from parlor.webhooks.tests.conftest import agent, channel_create, unique

pytestmark = pytest.mark.usefixtures("clean_webhooks")


@pytest.fixture
def workers(tmp_path):
    """Start job workers on demand; stop every one after the test."""
    started = []

    def start():
        worker = start_worker(database_url=database_url_for_tests(), log_dir=tmp_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def valid_signature(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return headers["webhook-signature"] == f"v1,{expected}"


def register_and_send(created, url: str):
    room_id = channel_create(created)
    with schema_context(created.tenant.schema_name):
        endpoint = webhook_endpoint_create(url=url, events=["message.created"])
        services.message_send(
            room_id=room_id, sender=agent(created), body="hi", client_msg_id=unique("m")
        )
    return endpoint


def delivery_status(created, timeout: float, wanted: str) -> str:
    deadline = time.monotonic() + timeout
    while True:
        with schema_context(created.tenant.schema_name):
            status = WebhookDelivery.objects.get().status
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt_signed_with_one_id(
    tenant_alpha, workers
):
    receiver = Receiver(answer=lambda attempt: 500 if attempt <= 2 else 204)
    url = receiver.start()
    try:
        workers()
        endpoint = register_and_send(tenant_alpha, url)
        received = receiver.wait_for(3, timeout=60)
    finally:
        receiver.stop()
    assert len({request.headers["webhook-id"] for request in received}) == 1
    assert all(valid_signature(endpoint.secret, r.headers, r.body) for r in received)
    assert delivery_status(tenant_alpha, 10, "succeeded") == "succeeded"
    with schema_context(tenant_alpha.tenant.schema_name):
        assert WebhookDelivery.objects.get().attempts == 3


def test_a_worker_killed_mid_delivery_is_replaced_and_the_event_arrives(tenant_alpha, workers):
    released = threading.Event()

    def answer(attempt: int) -> int:
        if attempt == 1:
            released.wait(30)  # the first attempt hangs until its worker is dead
        return 200

    receiver = Receiver(answer=answer)
    url = receiver.start()
    try:
        first = workers()
        register_and_send(tenant_alpha, url)
        receiver.wait_for(1, timeout=30)
        first.kill()
        released.set()
        workers()
        received = receiver.wait_for(2, timeout=60)
    finally:
        released.set()
        receiver.stop()
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    assert delivery_status(tenant_alpha, 10, "succeeded") == "succeeded"
