"""A capacity step that failed while the machine's other processes took the server core runs
once more; the result keeps both attempts."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from benchmarks import results, scenarios
from benchmarks.config import DISTURBED_FOREIGN_SHARE


def step(p99_ms: float, foreign: float, *, lost: int = 0, errors: int = 0) -> dict:
    return {
        "ack": {"p50_ms": 5.0, "p99_ms": p99_ms, "max_ms": p99_ms},
        "lost": lost,
        "unacked": 0,
        "errors": errors,
        "duplicated": 0,
        "out_of_order": 0,
        "acks_per_s": 2000,
        "server_cpu_s_per_million": 250.0,
        "stack_cpu_s_per_million": 130.0,
        "server_core_share": 0.5,
        "stack_core_share": 0.3,
        "foreign_core_share": foreign,
        "loadgen_core_share": 0.2,
    }


def judged(each: dict, limit_ms: float = 50.0) -> dict:
    return {**each, "passed": each["ack"]["p99_ms"] <= limit_ms and not each["lost"]}


def test_only_a_latency_failure_beside_foreign_work_is_disturbed():
    assert scenarios.step_disturbed(judged(step(90.0, DISTURBED_FOREIGN_SHARE)))
    assert not scenarios.step_disturbed(judged(step(90.0, DISTURBED_FOREIGN_SHARE / 2)))
    assert not scenarios.step_disturbed(judged(step(20.0, 0.5)))  # it passed
    assert not scenarios.step_disturbed(judged(step(90.0, 0.5, lost=3)))  # lost is never noise
    assert not scenarios.step_disturbed(judged(step(90.0, 0.5, errors=1)))


def stepped(monkeypatch, attempts: list[dict]) -> dict:
    """Run `_stepped` over steps 1000 and 2000 whose measurements are `attempts`, in turn."""
    taken = iter(attempts)

    async def measured(generator, senders, room_size, rate, expected, probe, spec, by_ack):
        return dict(next(taken))

    async def nothing(*args, **kwargs):
        return None

    monkeypatch.setattr(scenarios, "_step", measured)
    monkeypatch.setattr(scenarios, "_phase", nothing)
    monkeypatch.setattr(scenarios, "_drain", nothing)
    monkeypatch.setattr(scenarios, "probe_for", lambda spec: None)
    generator = SimpleNamespace(
        deliveries=SimpleNamespace(latencies=SimpleNamespace(take=lambda: [])),
        acks=SimpleNamespace(latencies=[]),
        errors={},
    )
    sender = SimpleNamespace(
        room="r", connection=SimpleNamespace(closed=SimpleNamespace(done=lambda: False))
    )
    spec = {"sizes": {"warmup_seconds": 0, "drain_seconds": 0}}
    return asyncio.run(
        scenarios._stepped(generator, spec, [sender], [sender], [1000, 2000], by_ack=True)
    )


def test_a_disturbed_step_runs_again_and_keeps_its_first_attempt(monkeypatch):
    first, second = step(120.0, 0.05), step(30.0, 0.0)
    result = stepped(monkeypatch, [step(10.0, 0.0), first, second])
    assert result["capacity"] == 2000
    retried = result["steps"][1]
    assert retried["ack"]["p99_ms"] == 30.0
    assert retried["disturbed_attempt"]["ack"]["p99_ms"] == 120.0
    assert "second attempt; the first: p99 120 ms" in results._disturbed_note("ingest", retried)


def test_a_step_runs_again_once_only(monkeypatch):
    result = stepped(monkeypatch, [step(10.0, 0.0), step(120.0, 0.05), step(110.0, 0.05)])
    assert result["capacity"] == 1000
    assert [each["offered"] for each in result["steps"]] == [1000, 2000]
    assert result["steps"][1]["disturbed_attempt"]["ack"]["p99_ms"] == 120.0


def test_an_undisturbed_failure_is_final(monkeypatch):
    result = stepped(monkeypatch, [step(10.0, 0.0), step(120.0, 0.0)])
    assert result["capacity"] == 1000
    assert "disturbed_attempt" not in result["steps"][1]
