"""Settings for a developer's machine (`make run`)."""

from parlor import env
from parlor.settings.base import *  # noqa: F403

DEBUG = env.get_bool("DEBUG", True)
# A developer points webhooks at a receiver on their own machine.
PARLOR = {**PARLOR, "OUTBOUND_ALLOW_LOOPBACK": True}  # noqa: F405
