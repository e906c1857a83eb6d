"""Parlor's production settings as benchmarked, with one change: the per-socket flood limit.

The fanout scenario has one sender per room offering up to 50 messages a second; the
production default (20 frames a second per socket) would refuse most of them with
`rate_limited`. Everything else is `parlor.settings.production` as deployed.
"""

import json
import os

from parlor.settings.production import *  # noqa: F403
from parlor.settings.production import PARLOR

# The load generator opens every socket from 127.0.0.1: the per-IP socket cap would refuse it.
PARLOR = {
    **PARLOR,
    "RATE_PER_SECOND": 10_000.0,
    "RATE_BURST": 10_000,
    "SOCKETS_PER_IP": 1_000_000,
    "SOCKETS_PER_PRINCIPAL": 1_000_000,
}

# For experiments only (never set by `make bench`): PARLOR settings as JSON, e.g.
# BENCH_PARLOR='{"GROUP_COMMIT_TENANT_MAX": 0}'.
PARLOR.update(json.loads(os.environ.get("BENCH_PARLOR", "{}")))
