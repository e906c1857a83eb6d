"""TokenBucket, FloodGuard and TenantMessageQuota, with a clock the test moves."""

from __future__ import annotations

from parlor.chat.limits import FloodGuard, TenantMessageQuota, TokenBucket, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_rate():
    clock = Clock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now = 0.5
    assert [bucket.take() for _ in range(2)] == [True, False]
    clock.now = 100
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_guard_refuses_then_closes_after_strikes_in_a_row():
    clock = Clock()
    guard = FloodGuard(TokenBucket(rate=1, burst=1, clock=clock), strikes_before_close=3)
    assert guard.check() is Verdict.ALLOW
    assert [guard.check(), guard.check()] == [Verdict.REFUSE, Verdict.REFUSE]
    clock.now = 1
    assert guard.check() is Verdict.ALLOW  # an allowed frame forgives the strikes
    assert [guard.check() for _ in range(3)] == [Verdict.REFUSE, Verdict.REFUSE, Verdict.CLOSE]


def test_a_tenant_gets_a_minutes_worth_then_its_rate_and_another_tenant_its_own():
    clock = Clock()
    quota = TenantMessageQuota(clock=clock)
    assert all(quota.take(tenant_id=1, per_minute=60) for _ in range(60))
    assert not quota.take(tenant_id=1, per_minute=60)
    assert quota.take(tenant_id=2, per_minute=60), "tenant 2 has a bucket of its own"
    clock.now += 1.0  # one second: one message at 60 a minute
    assert quota.take(tenant_id=1, per_minute=60)
    assert not quota.take(tenant_id=1, per_minute=60)
    assert quota.take(tenant_id=1, per_minute=120), "a changed quota starts a full bucket"
