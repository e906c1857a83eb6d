"""TokenBucket and FloodGuard, with a clock the test moves."""

from __future__ import annotations

from parlor.chat.limits import FloodGuard, TokenBucket, Verdict


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
