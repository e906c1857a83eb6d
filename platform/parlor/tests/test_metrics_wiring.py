"""Each metric the issue lists is fed by the code that does the thing it counts."""

from __future__ import annotations

import pytest

from parlor.chat.consumer import frame_type_of
from parlor.chat.frames import encode
from parlor.observability import metrics


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels or None) or 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (encode({"type": "ack", "re": "1"}), "ack"),
        (encode({"type": "message", "body": "hi"}), "message"),
        (encode({"type": "room.closed", "room": "r"}), "room.closed"),
        (encode({"type": "made-up"}), "other"),
        ('{"body":"x","type":"ack"}', "other"),
        ("not json", "other"),
    ],
)
def test_frames_out_are_labelled_by_a_known_type_only(text, expected):
    assert frame_type_of(text) == expected


def test_throttle_refusals_are_counted_by_rule(settings):
    from parlor.base.errors import RateLimited
    from parlor.throttle import Rule, throttle

    settings.REDIS_URL = ""
    rule = Rule(name="wiring_test", per_minute=1, burst=1)
    before = sample("parlor_rate_limit_refusals_total", limit="wiring_test")
    throttle(rule=rule, key="k", detail="slow down")
    with pytest.raises(RateLimited):
        throttle(rule=rule, key="k", detail="slow down")
    assert sample("parlor_rate_limit_refusals_total", limit="wiring_test") == before + 1


@pytest.mark.usefixtures("live_db")
def test_the_job_queue_depth_is_read_at_scrape_time():
    from parlor.jobs.depth import QUEUES, job_queue_depth_refresh
    from parlor.observability.views import SCRAPE_REFRESHERS

    assert job_queue_depth_refresh in SCRAPE_REFRESHERS
    job_queue_depth_refresh()
    for queue in QUEUES:
        assert metrics.REGISTRY.get_sample_value("parlor_job_queue_depth", {"queue": queue}) >= 0


def test_every_metric_of_the_issue_is_exported_with_the_prefix():
    exported = {family.name for family in metrics.REGISTRY.collect()}
    assert exported >= {
        "parlor_sockets_open",
        "parlor_handshakes",
        "parlor_frames_in",
        "parlor_frames_out",
        "parlor_messages_stored",
        "parlor_ack_latency_seconds",
        "parlor_fanout_delay_seconds",
        "parlor_slow_consumer_closes",
        "parlor_rate_limit_refusals",
        "parlor_backend_errors",
        "parlor_job_queue_depth",
    }
    assert all(name.startswith("parlor_") for name in exported)
