"""docs/webhooks.md: its verification example accepts Parlor's signatures and nothing else."""

from __future__ import annotations

import re
import time

from parlor.env import REPO_ROOT
from parlor.webhooks.events import EVENT_TYPES
from parlor.webhooks.signing import secret_new, signed_headers

DOC = (REPO_ROOT / "docs" / "webhooks.md").read_text()


def documented_verify():
    code = re.search(r"## Verifying a delivery.*?```python\n(.*?)```", DOC, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)
    return namespace["verify"]


def test_the_documented_example_verifies_parlors_signatures_and_refuses_forgeries():
    verify = documented_verify()
    secret, body = secret_new(), b'{"id":"evt_1","type":"message.created"}'
    headers = signed_headers(
        secret=secret, message_id="evt_1", timestamp=int(time.time()), body=body
    )
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + b" ")
    assert not verify(secret_new(), headers, body)
    assert not verify(secret, {**headers, "webhook-id": "evt_2"}, body)
    old = signed_headers(
        secret=secret, message_id="evt_1", timestamp=int(time.time()) - 3600, body=body
    )
    assert not verify(secret, old, body)


def test_every_event_type_is_documented():
    for event_type in EVENT_TYPES:
        assert f"`{event_type}`" in DOC
