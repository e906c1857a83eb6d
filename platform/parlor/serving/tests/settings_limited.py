"""Test settings with a tight widget-session limit, for servers that tests start."""

from parlor.settings.test import *  # noqa: F403
from parlor.settings.test import PARLOR

PARLOR = {**PARLOR, "WIDGET_SESSIONS_BURST": 3, "WIDGET_SESSIONS_PER_MINUTE": 1}
