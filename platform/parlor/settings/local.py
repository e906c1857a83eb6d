"""Settings for a developer's machine: base with its defaults (DEBUG is set by `make run`)."""

from parlor.settings.base import *  # noqa: F403

# A developer points webhooks at a receiver on their own machine.
PARLOR = {**PARLOR, "OUTBOUND_ALLOW_LOOPBACK": True}  # noqa: F405
