"""Fixtures of the chat tests: a channel layer per test (in memory, or Redis DB 2 with a prefix)."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest


def redis_db_url(url: str, db: int = 2) -> str:
    """Return `url` pointing at Redis database `db` (the chat tests' own index)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


@pytest.fixture(autouse=True)
def memory_layer(settings):
    """Every chat test starts on the in-memory layer unless it asks for `redis_layer`."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def redis_layer(settings, redis_url, memory_layer):
    """Switch the test to the Redis pub/sub layer on DB 2 with a prefix of its own."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [redis_db_url(redis_url)],
                "prefix": f"test-chat-{uuid.uuid4().hex[:8]}",
            },
        }
    }
    return settings.CHANNEL_LAYERS["default"]["CONFIG"]
