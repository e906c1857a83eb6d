"""Tests of /metrics: only with the metrics token, never on by accident."""

from __future__ import annotations

import pytest

from parlor.observability import metrics

TOKEN = "m" * 40


@pytest.fixture
def metrics_on(settings):
    settings.PARLOR = {**getattr(settings, "PARLOR", {}), "METRICS_TOKEN": TOKEN}


@pytest.mark.django_db
def test_the_token_opens_the_exposition(client, metrics_on):
    metrics.messages_stored.inc()
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"parlor_messages_stored_total" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", TOKEN])
def test_a_wrong_or_missing_token_is_refused(client, metrics_on, header):
    response = client.get("/metrics", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert b"parlor_" not in response.content


@pytest.mark.django_db
def test_without_a_configured_token_there_is_no_endpoint(client, settings):
    settings.PARLOR = {k: v for k, v in settings.PARLOR.items() if k != "METRICS_TOKEN"}
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404
