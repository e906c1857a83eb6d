"""Test settings for fault drills: a short outbox, large bodies and no flood limit.

A drill floods a socket that stopped reading until the server gives up on it; with production
limits (5,000 queued frames, 4 KiB bodies, 20 frames a second) that would take minutes. The
mechanism is the same.
"""

from parlor.settings.test import *  # noqa: F403
from parlor.settings.test import PARLOR

PARLOR = {
    **PARLOR,
    "OUTBOX_MAX_FRAMES": 100,
    "OUTBOX_MAX_STALL_SECONDS": 2.0,
    "BODY_MAX_BYTES": 30_000,
    "FRAME_MAX_BYTES": 60_000,
    "RATE_PER_SECOND": 100_000.0,
    "RATE_BURST": 100_000,
}
