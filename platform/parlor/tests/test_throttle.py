"""Tests of parlor.throttle: keyed token buckets in memory and in a real Redis."""

from __future__ import annotations

import uuid

import pytest
import redis

from parlor.base.errors import RateLimited
from parlor.testing.redis import redis_url_with_db
from parlor.throttle import MemoryBuckets, RedisBuckets, Rule, throttle

# Six a minute (one every ten seconds), three at once.
RULE = Rule(name="test", per_minute=6, burst=3)
REDIS_DB = 6


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url_with_db(redis_url, REDIS_DB))
    yield client
    client.close()


@pytest.fixture
def key_prefix(redis_client):
    prefix = f"test-throttle-{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in redis_client.scan_iter(f"{prefix}:*"):
        redis_client.delete(key)


def test_memory_bucket_allows_the_burst_then_says_when_to_retry():
    buckets = MemoryBuckets(clock=Clock())
    assert [buckets.take("k", RULE) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k", RULE) == pytest.approx(10.0)
    assert buckets.take("other", RULE) == 0.0


def test_memory_bucket_refills_at_the_rule_rate():
    clock = Clock()
    buckets = MemoryBuckets(clock=clock)
    for _ in range(3):
        buckets.take("k", RULE)
    clock.now += 5
    assert buckets.take("k", RULE) == pytest.approx(5.0)
    clock.now += 5
    assert buckets.take("k", RULE) == 0.0
    assert buckets.take("k", RULE) > 0


def test_memory_buckets_forget_keys_that_are_full_again():
    clock = Clock()
    buckets = MemoryBuckets(clock=clock)
    buckets.SWEEP_ABOVE = 2
    buckets.take("old", RULE)
    clock.now += RULE.idle_seconds + 1
    buckets.take("a", RULE)
    buckets.take("b", RULE)
    assert set(buckets.buckets) == {"a", "b"}


@pytest.mark.redis
def test_redis_bucket_is_shared_by_separate_clients(redis_url, redis_client, key_prefix):
    # Two clients with their own connections stand for two server processes.
    other = redis.Redis.from_url(redis_url_with_db(redis_url, REDIS_DB))
    try:
        first, second = RedisBuckets(redis_client), RedisBuckets(other)
        key = f"{key_prefix}:k"
        assert [first.take(key, RULE), second.take(key, RULE), first.take(key, RULE)] == [0] * 3
        wait = second.take(key, RULE)
        assert 0 < wait <= 10.0
        assert first.take(f"{key_prefix}:other", RULE) == 0.0
    finally:
        other.close()


@pytest.mark.redis
def test_redis_bucket_expires_once_it_would_be_full_again(redis_client, key_prefix):
    key = f"{key_prefix}:k"
    RedisBuckets(redis_client).take(key, RULE)
    assert 0 < redis_client.pttl(key) <= (RULE.idle_seconds + 1) * 1000


def test_throttle_raises_rate_limited_with_a_whole_number_of_seconds(settings):
    settings.REDIS_URL = ""
    settings.PARLOR = {"THROTTLE_PREFIX": f"test-{uuid.uuid4().hex[:8]}"}
    for _ in range(3):
        throttle(rule=RULE, key="k", detail="too many tries")
    with pytest.raises(RateLimited) as refused:
        throttle(rule=RULE, key="k", detail="too many tries")
    assert refused.value.status == 429 and refused.value.code == "rate_limited"
    assert 1 <= refused.value.retry_after <= 10
    assert refused.value.detail == f"too many tries; retry in {refused.value.retry_after} s."
