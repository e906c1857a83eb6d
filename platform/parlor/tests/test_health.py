"""Tests of the liveness and readiness probes."""

from __future__ import annotations

import pytest
from django.test import AsyncClient, override_settings

pytestmark = pytest.mark.usefixtures("live_db")


async def test_healthz_answers_ok():
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_ready_when_database_and_layer_answer():
    response = await AsyncClient().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ready"


@pytest.mark.redis
async def test_readyz_reports_ready_with_a_real_redis_layer(redis_url):
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        response = await AsyncClient().get("/readyz")
        channel_layers.backends.clear()
    assert response.status_code == 200, response.content


async def test_readyz_answers_503_with_a_reason_when_the_layer_is_unreachable():
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        response = await AsyncClient().get("/readyz")
        channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failures"] == {"channel_layer": "unreachable"}
