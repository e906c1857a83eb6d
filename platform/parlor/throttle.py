"""Keyed token buckets shared by every process: in Redis when REDIS_URL is set, else in memory."""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings

from parlor.base.conf import setting
from parlor.base.errors import RateLimited
from parlor.observability import metrics


@dataclass(frozen=True)
class Rule:
    """At most `burst` actions at once per key, refilled at `per_minute` actions a minute."""

    name: str
    per_minute: float
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0

    @property
    def idle_seconds(self) -> float:
        """Seconds after which an untouched bucket is full again, and so can be forgotten."""
        return self.burst / self.per_second


def rule_from_settings(name: str) -> Rule:
    """Return the rule `name` with its PARLOR settings `<NAME>_PER_MINUTE` and `<NAME>_BURST`."""
    prefix = name.upper()
    return Rule(
        name=name, per_minute=setting(f"{prefix}_PER_MINUTE"), burst=setting(f"{prefix}_BURST")
    )


def refill_and_take(*, tokens: float, elapsed: float, rule: Rule) -> tuple[bool, float, float]:
    """Return (allowed, tokens left, seconds until the next token) for one action."""
    tokens = min(float(rule.burst), tokens + max(0.0, elapsed) * rule.per_second)
    if tokens >= 1:
        return True, tokens - 1, 0.0
    return False, tokens, (1 - tokens) / rule.per_second


class MemoryBuckets:
    """Buckets of this process only: right for one process, as in development and tests."""

    # Past this many keys, buckets idle long enough to be full again are dropped.
    SWEEP_ABOVE = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.buckets: dict[str, tuple[float, float, float]] = {}

    def take(self, key: str, rule: Rule) -> float:
        """Spend one token of `key`'s bucket; return 0 if allowed, else seconds to wait."""
        with self.lock:
            now = self.clock()
            tokens, updated, _ = self.buckets.get(key, (float(rule.burst), now, 0.0))
            allowed, tokens, wait = refill_and_take(tokens=tokens, elapsed=now - updated, rule=rule)
            self.buckets[key] = (tokens, now, now + rule.idle_seconds)
            if len(self.buckets) > self.SWEEP_ABOVE:
                self._sweep(now)
            return 0.0 if allowed else wait

    def _sweep(self, now: float) -> None:
        self.buckets = {key: state for key, state in self.buckets.items() if state[2] > now}


# The same arithmetic as refill_and_take, atomic in Redis and on Redis's clock, so every
# process shares one bucket per key whatever its own clock says.
TAKE_SCRIPT = """
local per_second = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * per_second)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / per_second
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens),
           'updated', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / per_second * 1000) + 1000)
return string.format('%.6f', wait)
"""


class RedisBuckets:
    """Buckets in Redis, one hash per key that expires once it would be full again."""

    def __init__(self, client: redis.Redis) -> None:
        self.script = client.register_script(TAKE_SCRIPT)

    def take(self, key: str, rule: Rule) -> float:
        """Spend one token of `key`'s bucket; return 0 if allowed, else seconds to wait."""
        return float(self.script(keys=[key], args=[rule.per_second, rule.burst]))


@functools.cache
def _memory_buckets() -> MemoryBuckets:
    return MemoryBuckets()


@functools.cache
def _redis_buckets(url: str) -> RedisBuckets:
    return RedisBuckets(redis.Redis.from_url(url))


def buckets() -> MemoryBuckets | RedisBuckets:
    """Return the buckets of this deployment: Redis's when REDIS_URL is set, else this process's."""
    if settings.REDIS_URL:
        return _redis_buckets(settings.REDIS_URL)
    return _memory_buckets()


def throttle(*, rule: Rule, key: str, detail: str) -> None:
    """Spend one action of `rule` for `key`, or raise RateLimited saying when to retry."""
    try:
        wait = buckets().take(f"{setting('THROTTLE_PREFIX')}:{rule.name}:{key}", rule)
    except redis.RedisError:
        metrics.backend_errors.labels("redis").inc()
        raise
    if wait > 0:
        # Rule names are the code's own constants: a closed set of label values.
        metrics.rate_limit_refusals.labels(rule.name).inc()
        retry_after = max(1, math.ceil(wait))
        raise RateLimited(f"{detail}; retry in {retry_after} s.", retry_after=retry_after)
